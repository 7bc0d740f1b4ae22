import fs from 'node:fs';
import path from 'node:path';
import { checkFlows, DEFAULT_FLOWS_DIR, formatIssue } from './loader';
import { toMermaid } from './mermaid';

// `npm run flows:check [-- <dir>]`: validates every flow, printing file:line: reason per problem.
// `npm run flows:graph [-- <dir>]`: writes a Mermaid diagram per flow to <dir>/graphs/<flow>.mmd and
// refreshes the inbound diagram in <dir>/README.md (between the mermaid markers).
const [command, dirArg] = process.argv.slice(2);
const dir = path.resolve(dirArg ?? DEFAULT_FLOWS_DIR);

function check(): number {
  const { set, issues } = checkFlows(dir);
  for (const i of issues) console.error(formatIssue(i));
  if (issues.length) {
    console.error(`${issues.length} problem${issues.length === 1 ? '' : 's'} in ${path.relative(process.cwd(), dir) || dir}`);
    return 1;
  }
  console.log(`${set.flows.size} flows OK: ${[...set.flows.keys()].join(', ')}`);
  return 0;
}

function graph(): number {
  const { set, issues } = checkFlows(dir);
  if (issues.length) {
    for (const i of issues) console.error(formatIssue(i));
    return 1;
  }
  for (const flow of set.flows.values()) {
    const out = path.join(dir, 'graphs', `${flow.name}.mmd`);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, toMermaid(flow));
    console.log(`wrote ${path.relative(process.cwd(), out)}`);
  }
  const readme = path.join(dir, 'README.md');
  const inbound = set.flows.get('inbound');
  if (inbound && fs.existsSync(readme)) {
    const text = fs.readFileSync(readme, 'utf8');
    const block = `<!-- inbound-graph:start -->\n\`\`\`mermaid\n${toMermaid(inbound)}\`\`\`\n<!-- inbound-graph:end -->`;
    const next = text.replace(/<!-- inbound-graph:start -->[\s\S]*<!-- inbound-graph:end -->/, block);
    if (next !== text) {
      fs.writeFileSync(readme, next);
      console.log(`updated ${path.relative(process.cwd(), readme)}`);
    }
  }
  return 0;
}

process.exitCode = command === 'check' ? check() : command === 'graph' ? graph() : (console.error('usage: cli.ts check|graph [flows-dir]'), 2);
