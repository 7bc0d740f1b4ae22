// Target expressions over agent skills, e.g. `pharmacy AND {language} AND (pharmacist OR nurse >= 2)`.
// A skill name alone means level >= 1. Placeholders are filled from the task when it is created:
// {required} = every skill the IVR asked for, {language} = the caller's language, {queue} = the
// queue's own skill. `ANY` matches every agent. The result is a disjunction of conjunctions, which the
// assignment script checks with no parsing of its own.

/** Skill -> minimum level; an agent matches when every skill is at least that level. */
export type Conjunction = Record<string, number>;
/** An agent matches when any conjunction matches. */
export type Requirement = Conjunction[];

/** What placeholders expand to for one task. */
export interface TaskSkills {
  required: string[];
  language: string;
  queue: string;
}

type Node = { kind: 'or' | 'and'; items: Node[] } | { kind: 'skill'; name: string; min: number } | { kind: 'placeholder'; name: 'required' | 'language' | 'queue' } | { kind: 'any' };

const TOKEN = /\s*(\(|\)|>=|>|\{[a-z]+\}|[A-Za-z_][\w-]*|\d+)/y;

function tokenize(src: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < src.length) {
    if (/^\s*$/.test(src.slice(TOKEN.lastIndex))) break;
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(src);
    if (!m) throw new Error(`unexpected "${src.slice(at).trim().slice(0, 12)}" at column ${at + 1}`);
    tokens.push(m[1]!);
  }
  return tokens;
}

/**
 * Parses a target expression; throws with the reason when it is not valid.
 * @param src - the expression text
 */
export function parseExpression(src: string): Node {
  const tokens = tokenize(src);
  let i = 0;
  const peek = () => tokens[i];
  const isWord = (t: string | undefined, w: string) => t !== undefined && t.toUpperCase() === w;

  function expr(): Node {
    const items = [term()];
    while (isWord(peek(), 'OR')) {
      i++;
      items.push(term());
    }
    return items.length === 1 ? items[0]! : { kind: 'or', items };
  }
  function term(): Node {
    const items = [factor()];
    while (isWord(peek(), 'AND')) {
      i++;
      items.push(factor());
    }
    return items.length === 1 ? items[0]! : { kind: 'and', items };
  }
  function factor(): Node {
    const t = tokens[i++];
    if (t === undefined) throw new Error('expression ends too early');
    if (t === '(') {
      const inner = expr();
      if (tokens[i++] !== ')') throw new Error('missing )');
      return inner;
    }
    if (t.startsWith('{')) {
      const name = t.slice(1, -1);
      if (name !== 'required' && name !== 'language' && name !== 'queue') throw new Error(`unknown placeholder ${t} (use {required}, {language} or {queue})`);
      return { kind: 'placeholder', name };
    }
    if (isWord(t, 'ANY')) return { kind: 'any' };
    if (!/^[A-Za-z_]/.test(t) || isWord(t, 'AND') || isWord(t, 'OR')) throw new Error(`expected a skill, got "${t}"`);
    let min = 1;
    if (peek() === '>=' || peek() === '>') {
      const op = tokens[i++];
      const n = tokens[i++];
      if (n === undefined || !/^\d+$/.test(n)) throw new Error(`expected a level after ${t} ${op}`);
      min = Number(n) + (op === '>' ? 1 : 0);
    }
    return { kind: 'skill', name: t, min };
  }

  const node = expr();
  if (i < tokens.length) throw new Error(`unexpected "${tokens[i]}"`);
  return node;
}

function and(a: Requirement, b: Requirement): Requirement {
  const out: Requirement = [];
  for (const x of a) {
    for (const y of b) {
      const c: Conjunction = { ...x };
      for (const [k, v] of Object.entries(y)) c[k] = Math.max(c[k] ?? 0, v);
      out.push(c);
    }
  }
  return out;
}

/**
 * Expands a parsed expression for one task into the form the assignment script checks.
 * @param node - from {@link parseExpression}
 * @param task - what the placeholders mean for this task
 */
export function compileRequirement(node: Node, task: TaskSkills): Requirement {
  switch (node.kind) {
    case 'any':
      return [{}];
    case 'skill':
      return [{ [node.name]: node.min }];
    case 'placeholder': {
      const names = node.name === 'required' ? task.required : [node.name === 'language' ? task.language : task.queue];
      return [Object.fromEntries(names.map((n) => [n, 1]))];
    }
    case 'or':
      return node.items.flatMap((n) => compileRequirement(n, task));
    case 'and':
      return node.items.map((n) => compileRequirement(n, task)).reduce(and, [{}]);
    default: {
      const never: never = node;
      throw new Error(`unknown node ${JSON.stringify(never)}`);
    }
  }
}

/**
 * Whether skills satisfy a requirement (the same rule the Lua script applies).
 * @param skills - an agent's skill levels
 * @param req - compiled requirement
 */
export function satisfies(skills: Record<string, number>, req: Requirement): boolean {
  return req.some((c) => Object.entries(c).every(([k, min]) => (skills[k] ?? 0) >= min));
}
