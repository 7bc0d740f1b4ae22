import type { FlowNode } from './schema';

/** One arrow of a flow graph: where it leads, what it means, and the YAML path that holds it. */
export interface Edge {
  to: string;
  label: string;
  path: (string | number)[];
}

/**
 * Every node a node can lead to (for checks, reachability and diagrams).
 * @param node - the node
 */
export function edgesOf(node: FlowNode): Edge[] {
  switch (node.kind) {
    case 'say':
    case 'set':
    case 'call':
      return [{ to: node.next, label: '', path: ['next'] }];
    case 'menu':
      return [
        ...node.options.flatMap((o, i) => (o.next ? [{ to: o.next, label: o.key, path: ['options', i, 'next'] }] : [])),
        ...(node.choices ? [{ to: node.choices.next, label: `1..n ${node.choices.from}`, path: ['choices', 'next'] }] : []),
        { to: node.fallback, label: 'fallback', path: ['fallback'] },
      ];
    case 'collect':
      return [
        { to: node.next, label: 'valid', path: ['next'] },
        { to: node.fallback, label: 'fallback', path: ['fallback'] },
      ];
    case 'action':
      return [
        ...Object.entries(node.on).map(([result, to]) => ({ to, label: result, path: ['on', result] })),
        ...(node.next ? [{ to: node.next, label: 'other', path: ['next'] }] : []),
      ];
    case 'branch':
      return [
        ...node.cases.map((c, i) => ({ to: c.next, label: describeWhen(c.when), path: ['cases', i, 'next'] })),
        { to: node.default, label: 'default', path: ['default'] },
      ];
    case 'transfer':
      return node.closed ? [{ to: node.closed, label: 'closed', path: ['closed'] }] : [];
    case 'dial':
      return [
        { to: node.next, label: 'answered', path: ['next'] },
        { to: node.fallback, label: 'no answer', path: ['fallback'] },
      ];
    case 'voicemail':
      return [{ to: node.next, label: 'recorded', path: ['next'] }];
    case 'return':
    case 'hangup':
      return [];
    default: {
      const never: never = node;
      throw new Error(`unknown node kind ${JSON.stringify(never)}`);
    }
  }
}

function describeWhen(when: unknown): string {
  const list = Array.isArray(when) ? when : [when];
  return list
    .map((c: Record<string, unknown>) => {
      if ('open' in c) return c.open ? 'open' : 'closed';
      if ('holiday' in c) return c.holiday ? 'holiday' : 'not holiday';
      const op = Object.keys(c).find((k) => k !== 'var') ?? '';
      return `${String(c.var)} ${op} ${JSON.stringify(c[op])}`;
    })
    .join(' and ');
}
