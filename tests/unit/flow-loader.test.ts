import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { checkFlows, formatIssue, loadFlowSet, FlowValidationError } from '../../src/flow/loader';
import { toMermaid } from '../../src/flow/mermaid';

const fixtures = path.resolve(__dirname, '../fixtures/flows');
const rel = (i: { file: string; line: number; message: string }) => `${path.relative(path.join(fixtures, 'bad'), i.file)}:${i.line}: ${i.message}`;

describe('flow loader', () => {
  test('the good fixture flows load: every node kind, a sub-flow, prompts in both languages', () => {
    const set = loadFlowSet(path.join(fixtures, 'good'));
    expect([...set.flows.keys()].sort()).toEqual(['main', 'sub/helper']);
    const kinds = new Set(Object.values(set.flows.get('main')!.nodes).map((n) => n.kind));
    expect([...kinds].sort()).toEqual(['action', 'branch', 'call', 'collect', 'dial', 'hangup', 'menu', 'say', 'set', 'transfer', 'voicemail']);
    expect(set.prompts.locales.es).toEqual({ voice: 'Polly.Lupe', language: 'es-US' });
    // defaults are applied by the schema
    const menu = set.flows.get('main')!.nodes.menu!;
    expect(menu.kind === 'menu' && menu.retries).toBe(2);
  });

  test('every bad fixture is reported with its file, line and reason', () => {
    const { issues } = checkFlows(path.join(fixtures, 'bad'));
    const lines = issues.map(rel).sort();
    expect(lines.find((l) => l.startsWith('syntax.yaml:4: '))).toBeDefined();
    expect(lines.filter((l) => !l.startsWith('syntax.yaml'))).toEqual([
      'dangling.yaml:6: node "hello": next points to "nowhere", which is not a node of this flow',
      'menu-no-target.yaml:8: node "menu": menu option "2" has no target (next)',
      'missing-prompt.yaml:3: node "hi": prompt "helper" is missing in es (prompts/es.yaml)',
      'missing-prompt.yaml:4: node "bye": prompt "nope.notThere" is missing in en (prompts/en.yaml)',
      'missing-prompt.yaml:4: node "bye": prompt "nope.notThere" is missing in es (prompts/es.yaml)',
      'typo-key.yaml:3: node "hi" next: is required',
      'typo-key.yaml:6: node "hi": Unrecognized key: "nxt"',
      'unknown-action.yaml:5: node "act": unknown action "pharmacy.teleport"',
      'unknown-kind.yaml:3: node "hi": unknown kind "teleport" (one of say, set, menu, collect, action, branch, transfer, dial, voicemail, call, return, hangup)',
      'unreachable.yaml:4: node "orphan" is unreachable from start "hello"',
    ].sort());
  });

  test('loading bad flows throws one error listing every problem (what start-up does)', () => {
    expect(() => loadFlowSet(path.join(fixtures, 'bad'))).toThrow(FlowValidationError);
    try {
      loadFlowSet(path.join(fixtures, 'bad'));
    } catch (err) {
      expect((err as FlowValidationError).issues).toHaveLength(11);
      expect((err as Error).message).toContain(formatIssue((err as FlowValidationError).issues[0]!));
    }
  });

  test('the shipped flows/ are valid', () => {
    const { set, issues } = checkFlows();
    expect(issues.map(formatIssue)).toEqual([]);
    expect(set.flows.has('inbound')).toBe(true);
  });

  test('npm run flows:check exits 1 with file:line: reason on bad flows, 0 on good ones', () => {
    const run = (dir: string) => {
      try {
        return { code: 0, out: execFileSync(process.execPath, ['--no-warnings', '--import', 'tsx', 'src/flow/cli.ts', 'check', dir], { cwd: path.resolve(__dirname, '../..'), encoding: 'utf8', stdio: 'pipe' }) };
      } catch (err) {
        const e = err as { status: number; stderr: string };
        return { code: e.status, out: e.stderr };
      }
    };
    const bad = run(path.join(fixtures, 'bad'));
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/dangling\.yaml:6: node "hello": next points to "nowhere"/);
    expect(bad.out).toMatch(/11 problems/);
    const good = run(path.join(fixtures, 'good'));
    expect(good.code).toBe(0);
    expect(good.out).toMatch(/2 flows OK/);
  });

  test('a flow renders as a Mermaid flowchart with labelled edges', () => {
    const set = loadFlowSet(path.join(fixtures, 'good'));
    const m = toMermaid(set.flows.get('main')!);
    expect(m.startsWith('flowchart TD\n')).toBe(true);
    expect(m).toContain('n_menu -->|"1"| n_helper');
    expect(m).toContain('n_check -->|"n eq \'7\'"| n_lucky');
    expect(m).toContain('n_person -->|"closed"| n_message');
  });
});
