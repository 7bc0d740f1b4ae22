import type { Context } from '../context';
import type { Language } from './schema';
import { redisIsDown } from '../db/redis';

/** A value held in a call's variables (JSON). */
export type VarValue = string | number | boolean | null | VarValue[] | { [key: string]: VarValue };
export type Vars = Record<string, VarValue>;

/** Where a sub-flow returns to. */
export interface ReturnAddress {
  flow: string;
  node: string;
}

/**
 * Everything the engine knows about one call between two Twilio requests. Twilio calls back once
 * per step, possibly on another instance, so this lives in Redis keyed by CallSid.
 */
export interface CallSession {
  callSid: string;
  flow: string;
  /** the node the call waits on (or ended on) */
  node: string;
  stack: ReturnAddress[];
  vars: Vars;
  language: Language;
  /** failed attempts at the current input node */
  retries: number;
  /** set only by a successful identity verification */
  patientId?: string;
  verified: boolean;
  /** counts emitted input steps; every action URL carries it, so different requests never look identical */
  step: number;
  /** counts node visits; call event keys are `node:<seq>:<nodeId>`, deterministic for a given call */
  seq: number;
  from?: string;
  direction: string;
  /** the TwiML last sent, answered again to a request for a step that is no longer current */
  lastTwiml?: string;
  ended: boolean;
  /** the path of node ids, for the agent's screen pop (bounded) */
  path: string[];
}

/** Calls last minutes; four hours is far beyond any call and still bounded. */
export const SESSION_TTL_SECONDS = 4 * 60 * 60;
const LOCK_TTL_MS = 10_000;
const LOCK_WAIT_MS = 25;
const LOCK_MAX_WAIT_MS = 8_000;

const sessionKey = (callSid: string) => `flow:session:${callSid}`;
const lockKey = (callSid: string) => `flow:lock:${callSid}`;

/**
 * Reads a call's session.
 * @returns null when the call has none (never started here, or expired)
 */
export async function loadSession(ctx: Context, callSid: string): Promise<CallSession | null> {
  const raw = await ctx.redis.get(sessionKey(callSid));
  return raw ? (JSON.parse(raw) as CallSession) : null;
}

/** Stores a call's session, renewing its TTL. */
export async function saveSession(ctx: Context, s: CallSession): Promise<void> {
  await ctx.redis.set(sessionKey(s.callSid), JSON.stringify(s), 'EX', SESSION_TTL_SECONDS);
}

/**
 * Runs `fn` while holding the call's lock, so two different requests for one call (a caller's input
 * racing a late retry) never interleave their reads and writes of the session.
 */
export async function withCallLock<T>(ctx: Context, callSid: string, fn: () => Promise<T>): Promise<T> {
  // While Redis is reconnecting every command would wait out its timeout; the caller is better
  // served by the fallback now (Twilio gives up on a webhook after 15 seconds).
  if (redisIsDown(ctx.redis)) throw new Error(`redis is ${ctx.redis.status}`);
  const token = `${process.pid}:${Math.random().toString(36).slice(2)}`;
  for (let waited = 0; ; waited += LOCK_WAIT_MS) {
    const ok = await ctx.redis.set(lockKey(callSid), token, 'PX', LOCK_TTL_MS, 'NX');
    if (ok) break;
    if (waited >= LOCK_MAX_WAIT_MS) throw new Error('call session is locked by another request');
    await new Promise((r) => setTimeout(r, LOCK_WAIT_MS));
  }
  try {
    return await fn();
  } finally {
    // Release only our own lock (it may have expired and been taken by another request).
    await ctx.redis
      .eval("if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end", 1, lockKey(callSid), token)
      .catch(() => undefined);
  }
}
