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

// Lock and read in one round trip: nil when another request holds the lock, else the session ('' if none).
const LOCK_AND_READ = `if not redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then return false end
return redis.call('get', KEYS[2]) or ''`;
// Release only our own lock (it may have expired and been taken by another request).
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
// Save and release in one round trip; the session is stored whether or not the lock is still ours, as a separate SET would.
const SAVE_AND_RELEASE = `redis.call('set', KEYS[2], ARGV[2], 'EX', ARGV[3])
${RELEASE}`;

/** What a turn under the lock answers, and the session to store (none: nothing changed). */
export interface LockedResult<T> {
  result: T;
  save?: CallSession;
}

/**
 * Runs `fn` on the call's session while holding the call's lock, so two different requests for one
 * call (a caller's input racing a late retry) never interleave their reads and writes of the
 * session. Locking and reading, then saving and releasing, take one Redis round trip each.
 * @param fn - gets the session (null when the call has none); the lock is released even if it throws
 */
export async function withCallSession<T>(ctx: Context, callSid: string, fn: (session: CallSession | null) => Promise<LockedResult<T>>): Promise<T> {
  const token = `${process.pid}:${Math.random().toString(36).slice(2)}`;
  const raw = await lockAndRead(ctx, callSid, token);
  let released = false;
  try {
    const out = await fn(raw ? (JSON.parse(raw) as CallSession) : null);
    if (out.save) {
      await ctx.redis.eval(SAVE_AND_RELEASE, 2, lockKey(callSid), sessionKey(callSid), token, JSON.stringify(out.save), SESSION_TTL_SECONDS);
      released = true;
    }
    return out.result;
  } finally {
    if (!released) await release(ctx, callSid, token);
  }
}

/** Takes the call's lock (waiting for another request to finish) and returns the raw session ('' if none). */
async function lockAndRead(ctx: Context, callSid: string, token: string): Promise<string> {
  // While Redis is reconnecting every command would wait out its timeout; the caller is better
  // served by the fallback now (Twilio gives up on a webhook after 15 seconds).
  if (redisIsDown(ctx.redis)) throw new Error(`redis is ${ctx.redis.status}`);
  for (let waited = 0; ; waited += LOCK_WAIT_MS) {
    const raw = (await ctx.redis.eval(LOCK_AND_READ, 2, lockKey(callSid), sessionKey(callSid), token, LOCK_TTL_MS)) as string | null;
    if (raw !== null) return raw;
    if (waited >= LOCK_MAX_WAIT_MS) throw new Error('call session is locked by another request');
    await new Promise((r) => setTimeout(r, LOCK_WAIT_MS));
  }
}

async function release(ctx: Context, callSid: string, token: string): Promise<void> {
  await ctx.redis.eval(RELEASE, 1, lockKey(callSid), token).catch(() => undefined);
}
