import { edgesOf } from './edges';
import type { Flow } from './schema';

function esc(s: string): string {
  return s.replace(/"/g, "'");
}

/**
 * A Mermaid flowchart of a flow: one box per node (shape by kind), one arrow per edge, labelled
 * with the key, result or condition that takes it.
 * @param flow - a validated flow
 */
export function toMermaid(flow: Flow): string {
  const lines = ['flowchart TD'];
  const id = (n: string) => `n_${n.replace(/[^A-Za-z0-9_]/g, '_')}`;
  for (const [name, node] of Object.entries(flow.nodes)) {
    const text = esc(`${name}<br/><i>${node.kind}${node.kind === 'action' ? ` ${node.action}` : node.kind === 'transfer' ? ` ${node.queue}` : node.kind === 'call' ? ` ${node.flow}` : ''}</i>`);
    const shape = node.kind === 'menu' || node.kind === 'collect' || node.kind === 'branch' ? `{"${text}"}` : node.kind === 'hangup' || node.kind === 'transfer' || node.kind === 'return' ? `(["${text}"])` : `["${text}"]`;
    lines.push(`  ${id(name)}${shape}`);
  }
  for (const [name, node] of Object.entries(flow.nodes)) {
    for (const e of edgesOf(node)) lines.push(`  ${id(name)} -->${e.label ? `|"${esc(e.label)}"|` : ''} ${id(e.to)}`);
  }
  if (flow.operator) lines.push(`  any(("0 from anywhere")) -.-> ${id(flow.operator)}`);
  return lines.join('\n') + '\n';
}
