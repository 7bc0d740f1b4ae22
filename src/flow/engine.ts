import type { Context } from '../context';
import { fallbackTwiml } from '../telephony/fallbacks';
import { VoiceResponse } from '../telephony/twiml';
import type { FlowInput } from './input';
import { speechMatches } from './input';
import { flowSet, type FlowSet } from './loader';
import { handlerFor } from './nodes';
import type { FlowNode, Language } from './schema';
import { withCallSession, type CallSession, type LockedResult, type Vars } from './session';
import { Turn, type Outcome } from './turn';

// A turn that visits this many nodes without waiting for the caller is a loop in a flow.
const MAX_NODES_PER_TURN = 60;
const PATH_LIMIT = 60;

const OPERATOR_WORDS: Record<Language, string[]> = {
  en: ['representative', 'operator', 'agent', 'a person', 'real person', 'human', 'somebody', 'someone'],
  es: ['representante', 'operador', 'operadora', 'agente', 'una persona', 'alguien'],
};
const REPEAT_WORDS: Record<Language, string[]> = { en: ['repeat', 'say that again', 'again'], es: ['repetir', 'repita', 'otra vez'] };

/** How to start a flow on a call: the inbound line, or an outbound reminder call. */
export interface StartFlowOptions {
  callSid: string;
  /** a flow name: its path under flows/ without `.yaml`, e.g. `inbound`, `reminders/refill` */
  flow: string;
  language?: Language;
  /** initial variables (e.g. `{ reminder: '<id>' }`) */
  vars?: Vars;
  /** the other party's number: the caller (inbound) or the callee (outbound); callback tasks use it */
  from?: string;
  direction?: string;
  /** the flows to use (tests); the checked-out flows/ by default */
  flows?: FlowSet;
}

/**
 * Starts a flow on a call and returns the TwiML of its first step. A second start of the same call
 * (a retried webhook) answers the first start's TwiML without running anything again.
 * @param ctx - the process's dependencies
 * @param o - the call, the flow, its language and variables
 */
export async function startFlow(ctx: Context, o: StartFlowOptions): Promise<string> {
  const set = o.flows ?? flowSet();
  const flow = set.flows.get(o.flow);
  if (!flow) throw new Error(`unknown flow "${o.flow}"`);
  return withCallSession(ctx, o.callSid, async (existing) => {
    if (existing?.lastTwiml) return { result: existing.lastTwiml };
    const session: CallSession = {
      callSid: o.callSid,
      flow: flow.name,
      node: flow.start,
      stack: [],
      vars: { ...(o.vars ?? {}) },
      language: o.language ?? flow.languages[0]!,
      retries: 0,
      verified: false,
      step: 0,
      seq: 0,
      from: o.from,
      direction: o.direction ?? 'inbound',
      ended: false,
      path: [],
    };
    return runTurn(ctx, set, session, async () => ({ go: flow.start }), o.language !== undefined, session.direction === 'inbound');
  });
}

/**
 * Continues a call with the caller's answer to step `step`. An answer to a step that is no longer
 * current (a late retry, a duplicate) gets the current TwiML again and changes nothing.
 * @param ctx - the process's dependencies
 * @param callSid - the call
 * @param step - the step number from the action URL
 * @param input - digits, speech, recording or dial result
 * @param flows - the flows to use (tests)
 */
export async function continueFlow(ctx: Context, callSid: string, step: number, input: FlowInput, flows?: FlowSet): Promise<string> {
  const set = flows ?? flowSet();
  return withCallSession(ctx, callSid, async (session) => {
    if (!session) throw new Error('no flow session for this call (expired or never started)');
    if (step !== session.step || session.ended) {
      ctx.log.info('flow request for a step that is not current; answering the current TwiML', { callSid, step, current: session.step });
      return { result: session.lastTwiml ?? goodbye() };
    }
    return runTurn(ctx, set, session, (t) => handleInput(t, input), false);
  });
}

function goodbye(): string {
  const r = new VoiceResponse();
  r.hangup();
  return r.toString();
}

/**
 * Runs one turn of a call; the caller stores the session it returns (withCallSession).
 * @param newCall - the first turn of an inbound call: if it fails, the fallback still starts with the emergency notice
 */
async function runTurn(ctx: Context, set: FlowSet, session: CallSession, first: (t: Turn) => Promise<Outcome>, recordLanguage: boolean, newCall = false): Promise<LockedResult<string>> {
  const log = ctx.log.child({ callSid: session.callSid });
  const t = new Turn(ctx, set, session, log);
  if (recordLanguage) t.patch({ language: session.language });
  let twiml: string;
  try {
    let out = await first(t);
    for (let n = 0; 'go' in out; n++) {
      if (n >= MAX_NODES_PER_TURN) throw new Error(`flow "${session.flow}" visits ${n} nodes without waiting for the caller`);
      out = await enter(t, out.go);
    }
    if ('end' in out) session.ended = true;
    twiml = t.toTwiml();
  } catch (err) {
    // Fatal for this call: it ends politely in the caller's language (apology, a person or voicemail).
    log.error('flow failed; ending the call politely', { err: safeError(err), flow: session.flow, node: session.node });
    t.event({ key: `error:${session.seq}`, type: 'error', name: session.node, detail: { error: err instanceof Error ? err.name : 'error' } });
    session.ended = true;
    twiml = fallbackTwiml(ctx.config, session.language, { newCall });
  }
  session.lastTwiml = twiml;
  await t.flush();
  return { result: twiml, save: session };
}

/** What of an error may be logged: database errors can quote query values (PHI), so only their kind. */
function safeError(err: unknown): unknown {
  if (!(err instanceof Error)) return String(err);
  if (err.name.startsWith('PrismaClient')) return { kind: err.name, code: (err as { code?: string }).code };
  return err;
}

async function enter(t: Turn, id: string): Promise<Outcome> {
  const s = t.session;
  const node = t.flow.nodes[id];
  if (!node) throw new Error(`flow "${s.flow}" has no node "${id}"`);
  s.node = id;
  s.seq += 1;
  s.retries = 0;
  s.path.push(`${s.flow}/${id}`);
  if (s.path.length > PATH_LIMIT) s.path.splice(0, s.path.length - PATH_LIMIT);
  t.event({ key: `node:${s.seq}:${id}`, type: 'node', name: id, detail: { flow: s.flow, kind: node.kind } });
  return handlerFor(node).enter(t, node);
}

async function handleInput(t: Turn, input: FlowInput): Promise<Outcome> {
  const s = t.session;
  const node = t.flow.nodes[s.node];
  if (!node) throw new Error(`flow "${s.flow}" has no node "${s.node}"`);
  const handler = handlerFor(node);
  if (node.kind === 'menu' || node.kind === 'collect') {
    const global = globalKey(t, node, input);
    if (global === 'repeat') return handler.enter(t, node);
    if (global === 'operator') {
      const target = operatorTarget(t);
      if (target) {
        t.event({ key: `input:${s.step}`, type: 'input', name: s.node, detail: { global: 'operator' } });
        return { go: target };
      }
    }
  }
  if (!handler.input) throw new Error(`node "${s.node}" (${node.kind}) does not take input`);
  return handler.input(t, node, input);
}

/** `0` (or "representative") reaches a person and `*` (or "repeat") repeats, unless the menu uses them. */
function globalKey(t: Turn, node: Extract<FlowNode, { kind: 'menu' | 'collect' }>, input: FlowInput): 'operator' | 'repeat' | undefined {
  const own = node.kind === 'menu' ? node.options : [];
  const ownKey = (k: string) => own.some((o) => o.key === k);
  if (input.digits === '0' && !ownKey('0')) return 'operator';
  if (input.digits === '*' && !ownKey('*')) return 'repeat';
  if (!input.digits && input.speech) {
    if (own.some((o) => speechMatches(input.speech!, o.speech?.[t.language] ?? []))) return undefined;
    if (speechMatches(input.speech, OPERATOR_WORDS[t.language])) return 'operator';
    if (speechMatches(input.speech, REPEAT_WORDS[t.language])) return 'repeat';
  }
  return undefined;
}

/** The operator node of the current flow, or of the nearest calling flow (leaving the sub-flows). */
function operatorTarget(t: Turn): string | undefined {
  const s = t.session;
  if (t.flow.operator) return t.flow.operator;
  for (let i = s.stack.length - 1; i >= 0; i--) {
    const f = t.set.flows.get(s.stack[i]!.flow);
    if (f?.operator) {
      s.stack = s.stack.slice(0, i);
      s.flow = f.name;
      return f.operator;
    }
  }
  return undefined;
}
