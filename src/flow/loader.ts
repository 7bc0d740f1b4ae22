import fs from 'node:fs';
import path from 'node:path';
import './action-modules';
import { getAction } from './actions';
import { edgesOf } from './edges';
import { loadPrompts, type PromptCatalog } from './prompts';
import { flowFile, flowNode, type Flow, type FlowNode, type Language, type PromptRef } from './schema';
import { YamlSource, type FlowIssue } from './yaml-source';
import { PROJECT_ROOT } from '../paths';

/** Every flow of a deployment and the prompts they speak. */
export interface FlowSet {
  dir: string;
  flows: Map<string, Flow>;
  prompts: PromptCatalog;
}

/** Prompts the engine itself speaks when a node does not name its own. */
export const ENGINE_PROMPTS = { noInput: 'common.noInput', invalid: 'common.invalid' } as const;

/** The flows folder of this checkout. */
export const DEFAULT_FLOWS_DIR = path.join(PROJECT_ROOT, 'flows');

/** Thrown when flow files are invalid; the message lists `file:line: reason` per problem. */
export class FlowValidationError extends Error {
  constructor(readonly issues: FlowIssue[]) {
    super(`invalid flows:\n${issues.map(formatIssue).join('\n')}`);
    this.name = 'FlowValidationError';
  }
}

/** `file:line: reason`, with the file relative to the working directory. */
export function formatIssue(i: FlowIssue): string {
  return `${path.relative(process.cwd(), i.file) || i.file}:${i.line}: ${i.message}`;
}

function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      // prompts live apart; graphs are generated output
      if (path.relative(dir, full) !== 'prompts' && entry.name !== 'graphs') out.push(...yamlFiles(full));
    } else if (/\.ya?ml$/.test(entry.name)) out.push(full);
  }
  return out.sort();
}

/**
 * Reads and validates every flow under a folder (and its `prompts/`), returning the problems
 * instead of throwing.
 * @param dir - the flows folder
 */
export function checkFlows(dir: string = DEFAULT_FLOWS_DIR): { set: FlowSet; issues: FlowIssue[] } {
  const issues: FlowIssue[] = [];
  const prompts = loadPrompts(path.join(dir, 'prompts'), issues);
  const flows = new Map<string, Flow>();
  const sources = new Map<string, YamlSource>();
  for (const file of yamlFiles(dir)) {
    const name = path.relative(dir, file).replace(/\\/g, '/').replace(/\.ya?ml$/, '');
    const src = new YamlSource(file, fs.readFileSync(file, 'utf8'));
    const flow = parseFlow(name, src, issues);
    if (flow) {
      flows.set(name, flow);
      sources.set(name, src);
    }
  }
  for (const flow of flows.values()) checkGraph(flow, sources.get(flow.name)!, flows, prompts, issues);
  return { set: { dir, flows, prompts }, issues };
}

/**
 * Loads the flows or throws a {@link FlowValidationError} listing every problem: start-up calls this
 * so a bad flow file stops the server rather than a caller.
 * @param dir - the flows folder
 */
export function loadFlowSet(dir: string = DEFAULT_FLOWS_DIR): FlowSet {
  const { set, issues } = checkFlows(dir);
  if (issues.length) throw new FlowValidationError(issues);
  return set;
}

const cache = new Map<string, FlowSet>();

/** The validated flows of a folder, read once per process. */
export function flowSet(dir: string = DEFAULT_FLOWS_DIR): FlowSet {
  let set = cache.get(dir);
  if (!set) {
    set = loadFlowSet(dir);
    cache.set(dir, set);
  }
  return set;
}

function parseFlow(name: string, src: YamlSource, issues: FlowIssue[]): Flow | null {
  const file = src.file;
  const syntax = src.syntaxIssues();
  if (syntax.length) {
    issues.push(...syntax);
    return null;
  }
  const data = src.data() as Record<string, unknown> | null;
  if (!data || typeof data !== 'object') {
    issues.push({ file, line: 1, message: 'a flow file must be a map with start and nodes' });
    return null;
  }
  // Nodes one by one, each against its own kind, so the reason names the node and the key.
  const rawNodes = (data.nodes && typeof data.nodes === 'object' ? data.nodes : {}) as Record<string, unknown>;
  const nodes: Record<string, FlowNode> = {};
  let ok = true;
  for (const [id, raw] of Object.entries(rawNodes)) {
    const kind = (raw as { kind?: unknown } | null)?.kind;
    const schema = flowNode.options.find((o) => o.shape.kind.value === kind);
    if (!schema) {
      const known = flowNode.options.map((o) => o.shape.kind.value).join(', ');
      issues.push({ file, line: src.lineOf(['nodes', id, 'kind']), message: `node "${id}": unknown kind ${JSON.stringify(kind)} (one of ${known})` });
      ok = false;
      continue;
    }
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      for (const i of parsed.error.issues) {
        const unknownKeys = i.code === 'unrecognized_keys' ? i.keys : [];
        const where = ['nodes', id, ...i.path] as (string | number)[];
        const line = src.lineOf(where, unknownKeys[0]);
        const at = i.path.length ? ` ${i.path.join('.')}` : '';
        const missing = i.code === 'invalid_type' && /received undefined/.test(i.message);
        issues.push({ file, line, message: `node "${id}"${at}: ${missing ? 'is required' : i.message}` });
      }
      ok = false;
      continue;
    }
    nodes[id] = parsed.data as FlowNode;
  }
  const top = flowFile.safeParse({ ...data, nodes: {} });
  if (!top.success) {
    for (const i of top.error.issues) {
      const unknownKeys = i.code === 'unrecognized_keys' ? i.keys : [];
      issues.push({ file, line: src.lineOf(i.path as (string | number)[], unknownKeys[0]), message: `${i.path.join('.') || 'flow'}: ${i.message}` });
    }
    return null;
  }
  if (!ok) return null;
  if (!Object.keys(nodes).length) {
    issues.push({ file, line: src.lineOf(['nodes']), message: 'a flow needs at least one node' });
    return null;
  }
  return { ...top.data, nodes, name, file };
}

type UsedPrompt = { key: string; path: (string | number)[]; language?: Language };

function promptKeys(p: PromptRef | PromptRef[] | undefined, field: string): UsedPrompt[] {
  if (p === undefined) return [];
  const list = Array.isArray(p) ? p : [p];
  return list.flatMap((x, i): UsedPrompt[] => {
    const path = Array.isArray(p) ? [field, i] : [field];
    if (typeof x === 'string') return [{ key: x, path }];
    if ('say' in x) return [{ key: x.say, path, language: x.language }];
    return [];
  });
}

/** Prompt keys a node speaks, with the YAML path of each. */
function promptsOf(node: FlowNode): UsedPrompt[] {
  const out: UsedPrompt[] = [];
  if ('prompt' in node) out.push(...promptKeys(node.prompt, 'prompt'));
  if (node.kind === 'menu') out.push(...promptKeys(node.footer, 'footer'));
  if (node.kind === 'menu' || node.kind === 'collect') {
    out.push({ key: node.noInput ?? ENGINE_PROMPTS.noInput, path: [node.noInput ? 'noInput' : 'kind'] });
    out.push({ key: node.invalid ?? ENGINE_PROMPTS.invalid, path: [node.invalid ? 'invalid' : 'kind'] });
  }
  if (node.kind === 'menu' && node.choices) out.push({ key: node.choices.option, path: ['choices', 'option'] });
  if (node.kind === 'action') for (const key of getAction(node.action)?.prompts ?? []) out.push({ key, path: ['action'] });
  return out;
}

function checkGraph(flow: Flow, src: YamlSource, flows: Map<string, Flow>, prompts: PromptCatalog, issues: FlowIssue[]): void {
  const file = flow.file;
  const add = (where: (string | number)[], message: string) => issues.push({ file, line: src.lineOf(where), message });
  const has = (id: string) => Object.prototype.hasOwnProperty.call(flow.nodes, id);
  if (!has(flow.start)) add(['start'], `start: no node named "${flow.start}"`);
  if (flow.operator && !has(flow.operator)) add(['operator'], `operator: no node named "${flow.operator}"`);
  for (const [id, node] of Object.entries(flow.nodes)) {
    const at = (...p: (string | number)[]) => ['nodes', id, ...p];
    for (const e of edgesOf(node)) {
      if (!has(e.to)) add(at(...e.path), `node "${id}": ${e.path.join('.')} points to "${e.to}", which is not a node of this flow`);
    }
    if (node.kind === 'menu') {
      const seen = new Set<string>();
      node.options.forEach((o, i) => {
        if (!o.next) add(at('options', i), `node "${id}": menu option "${o.key}" has no target (next)`);
        if (seen.has(o.key)) add(at('options', i, 'key'), `node "${id}": key "${o.key}" is used twice`);
        seen.add(o.key);
      });
      if (!node.options.length && !node.choices) add(at('options'), `node "${id}": a menu needs options or choices`);
    }
    if (node.kind === 'action') {
      const spec = getAction(node.action);
      if (!spec) add(at('action'), `node "${id}": unknown action "${node.action}"`);
      for (const result of Object.keys(node.on)) {
        if (spec?.results && !spec.results.includes(result)) {
          add(at('on', result), `node "${id}": action "${node.action}" never returns "${result}" (it returns ${spec.results.join(', ')})`);
        }
      }
      if (!node.next && spec?.results) {
        const missing = spec.results.filter((r) => !(r in node.on));
        if (missing.length) add(at('on'), `node "${id}": results ${missing.join(', ')} of "${node.action}" have no target (add them to on: or give next:)`);
      }
    }
    if (node.kind === 'call' && !flows.has(node.flow)) add(at('flow'), `node "${id}": no flow named "${node.flow}"`);
    for (const p of promptsOf(node)) {
      for (const lang of p.language ? [p.language] : flow.languages) {
        if (!prompts.texts[lang].has(p.key)) add(at(...p.path), `node "${id}": prompt "${p.key}" is missing in ${lang} (prompts/${lang}.yaml)`);
      }
    }
  }
  // Reachability from the start and the operator target (the global 0 key reaches it from anywhere).
  const reached = new Set<string>();
  const todo = [flow.start, ...(flow.operator ? [flow.operator] : [])].filter(has);
  while (todo.length) {
    const id = todo.pop()!;
    if (reached.has(id)) continue;
    reached.add(id);
    for (const e of edgesOf(flow.nodes[id]!)) if (has(e.to)) todo.push(e.to);
  }
  for (const id of Object.keys(flow.nodes)) {
    if (!reached.has(id)) add(['nodes', id], `node "${id}" is unreachable from start "${flow.start}"`);
  }
}
