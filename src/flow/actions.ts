import type { Context } from '../context';
import type { Logger } from '../log';
import type { CallRecordPatch } from '../records/call-events';
import type { Language } from './schema';
import type { CallSession, VarValue } from './session';

/** What a named action gets: the call's session (variables, language, verified patient) and its args. */
export interface ActionInput {
  ctx: Context;
  session: CallSession;
  /** the node's `args`, `{var}` placeholders already filled */
  args: Record<string, VarValue>;
  language: Language;
  /** the prompt text of a key in the caller's language, `{name}` filled from `vars` */
  prompt(key: string, vars?: Record<string, VarValue>): string;
  /** a per-call child logger (no PHI) */
  log: Logger;
  /** sets fields on the call's record (written with the turn's events) */
  record(patch: CallRecordPatch): void;
  /** the node's visit key, unique and deterministic within the call: use it for idempotency keys */
  visitKey: string;
}

/**
 * An action's result names the branch the flow takes (`on: { <result>: node }`). Actions change the
 * call by writing `session.vars` (and `session.patientId` / `verified` for identity).
 */
export type ActionFn = (input: ActionInput) => Promise<string>;

export interface ActionSpec {
  fn: ActionFn;
  /** results the action can return; when given, flows:check rejects an `on:` key outside them */
  results?: readonly string[];
  /** prompt keys the action speaks through `prompt()`; flows:check makes sure every language has them */
  prompts?: readonly string[];
}

const registry = new Map<string, ActionSpec>();

/**
 * Makes an action available to flows as `action: <name>`. Other modules (reminders, routing)
 * register theirs at import time; list the module in src/flow/action-modules.ts so that start-up
 * and `npm run flows:check` know it.
 * @param name - namespaced, e.g. `reminder.confirm`
 * @param fn - the action
 * @param meta - its possible results and the prompt keys it uses
 */
export function registerAction(name: string, fn: ActionFn, meta: Omit<ActionSpec, 'fn'> = {}): void {
  registry.set(name, { fn, ...meta });
}

/** The action registered under a name, if any. */
export function getAction(name: string): ActionSpec | undefined {
  return registry.get(name);
}
