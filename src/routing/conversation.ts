import type { Context } from '../context';

// careline's view of who is on a conversation's conference, kept true by Twilio's conference and
// participant status callbacks (never by console clicks alone). One hash per conference and one
// hash of its parties, both in Redis so any instance can answer the next callback.

/** Who a party in a conference is, for careline. Labels and events carry these roles, never names or numbers. */
export type PartyRole = 'caller' | 'agent' | 'consult' | 'party' | 'interpreter' | 'supervisor';

/** One leg in the conference, as Twilio last reported it. */
export interface Party {
  callSid: string;
  role: PartyRole;
  /** the Participant label careline gave (role plus a short id) */
  label: string;
  /** staff member on this leg (agent, consult target, supervisor) */
  agentId?: string;
  /** outside party: masked number (last 4 digits) or interpreter language; never the full number */
  detail?: string;
  /** ringing until Twilio says the leg joined */
  joined: boolean;
  hold: boolean;
  muted: boolean;
  coaching?: boolean;
  since: number;
}

/** A warm transfer (consultation) in progress. */
export interface Consult {
  /** the routing task that rings the target (agent or queue targets), or none for a number */
  taskId?: string;
  to: 'agent' | 'queue' | 'number';
  targetAgentId?: string;
  leg?: string;
  startedAt: number;
}

/** A supervisor monitoring the conversation. */
export interface Monitor {
  supervisorId: string;
  mode: 'listen' | 'whisper' | 'barge';
  leg?: string;
  since: number;
}

/** A conversation: one Twilio Conference, named by careline. */
export interface Conversation {
  name: string;
  /** the routing task that owns the conversation now (changes on a completed warm transfer) */
  taskId: string;
  callerSid: string;
  agentId?: string;
  agentLeg?: string;
  conferenceSid?: string;
  language: string;
  queue: string;
  startedAt: number;
  /** the caller's hold: since when (ms), or absent */
  holdSince?: number;
  /** the caller's holds so far, and their time on hold before the current one (ms) */
  holdCount?: number;
  holdMs?: number;
  consult?: Consult;
  monitor?: Monitor;
  /** counter for party labels (party-1, interpreter-2...) */
  seq: number;
}

const TTL = 86400;
const convKey = (name: string) => `rt:conv:${name}`;
const partiesKey = (name: string) => `rt:conv:${name}:parties`;
/** set: names of live conversations (for the supervisor's overview) */
export const LIVE_CONVERSATIONS = 'rt:convs';

/** The conference name of a routing task's conversation. */
export function conferenceName(taskId: string): string {
  return `careline-${taskId}`;
}

type ConversationFields = Omit<Conversation, 'seq'>;
const JSON_FIELDS = new Set(['consult', 'monitor']);
const NUMBER_FIELDS = new Set(['startedAt', 'holdSince', 'holdCount', 'holdMs', 'seq']);

/** Creates a conversation for a task whose caller is being connected (a retried request keeps the first). */
export async function openConversation(ctx: Context, c: Omit<Conversation, 'startedAt' | 'seq'>): Promise<void> {
  if (await ctx.redis.exists(convKey(c.name))) return;
  await setConversation(ctx, c.name, { ...c, startedAt: ctx.clock.now().getTime() });
  await ctx.redis.sadd(LIVE_CONVERSATIONS, c.name);
}

/** A conversation by conference name, or null. */
export async function getConversation(ctx: Context, name: string): Promise<Conversation | null> {
  const h = await ctx.redis.hgetall(convKey(name));
  if (!h.name) return null;
  const c: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(h)) c[k] = JSON_FIELDS.has(k) ? JSON.parse(v) : NUMBER_FIELDS.has(k) ? Number(v) : v;
  return { seq: 0, ...c } as Conversation;
}

/**
 * Sets fields of a conversation; a field given as null is removed. Each field is written on its
 * own, so two callbacks handled at once on two instances never undo each other's change.
 */
export async function setConversation(ctx: Context, name: string, patch: { [K in keyof ConversationFields]?: ConversationFields[K] | null }): Promise<void> {
  const set: Record<string, string> = {};
  const del: string[] = [];
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) del.push(k);
    else if (v !== undefined) set[k] = typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
  const m = ctx.redis.multi();
  if (Object.keys(set).length) m.hset(convKey(name), set);
  if (del.length) m.hdel(convKey(name), ...del);
  await m.expire(convKey(name), TTL).exec();
}

/** The next number for a party label in this conversation (party-1, interpreter-2...). */
export async function nextPartyNumber(ctx: Context, name: string): Promise<number> {
  return ctx.redis.hincrby(convKey(name), 'seq', 1);
}

/**
 * The caller was put on hold (Twilio's participant-hold): one hold more.
 * @returns the number of holds so far
 */
export async function holdStarted(ctx: Context, name: string, at: number): Promise<number> {
  const res = (await ctx.redis.multi().hset(convKey(name), 'holdSince', String(at)).hincrby(convKey(name), 'holdCount', 1).exec()) as [null, unknown][];
  return Number(res[1]![1]);
}

/**
 * The caller's hold ended (unhold, or they left while held).
 * @returns the time on hold in all, and the number of holds
 */
export async function holdEnded(ctx: Context, name: string, since: number, at: number): Promise<{ holdMs: number; holdCount: number }> {
  const res = (await ctx.redis.multi().hincrby(convKey(name), 'holdMs', at - since).hdel(convKey(name), 'holdSince').hget(convKey(name), 'holdCount').exec()) as [null, unknown][];
  return { holdMs: Number(res[0]![1]), holdCount: Number(res[2]![1]) };
}

/** The conversation ended: it leaves the live list (its state expires later, for late callbacks). */
export async function closeConversation(ctx: Context, name: string): Promise<void> {
  await ctx.redis.srem(LIVE_CONVERSATIONS, name);
}

/** Names of live conversations. */
export async function liveConversations(ctx: Context): Promise<string[]> {
  return ctx.redis.smembers(LIVE_CONVERSATIONS);
}

/** Stores what Twilio said about one party (merged into what careline knew of it). */
export async function putParty(ctx: Context, name: string, p: Partial<Party> & { callSid: string }): Promise<Party> {
  const raw = await ctx.redis.hget(partiesKey(name), p.callSid);
  const base: Party = raw ? (JSON.parse(raw) as Party) : { callSid: p.callSid, role: 'party', label: p.callSid, joined: false, hold: false, muted: false, since: ctx.clock.now().getTime() };
  const next = { ...base, ...Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) } as Party;
  await ctx.redis.multi().hset(partiesKey(name), p.callSid, JSON.stringify(next)).expire(partiesKey(name), TTL).exec();
  return next;
}

/** Forgets a party that left. */
export async function dropParty(ctx: Context, name: string, callSid: string): Promise<Party | null> {
  const raw = await ctx.redis.hget(partiesKey(name), callSid);
  await ctx.redis.hdel(partiesKey(name), callSid);
  return raw ? (JSON.parse(raw) as Party) : null;
}

/** Every party careline knows in the conference (ringing or joined). */
export async function listParties(ctx: Context, name: string): Promise<Party[]> {
  const all = await ctx.redis.hgetall(partiesKey(name));
  return Object.values(all).map((v) => JSON.parse(v) as Party).sort((a, b) => a.since - b.since);
}

/** The party with a leg's CallSid, or null. */
export async function getParty(ctx: Context, name: string, callSid: string): Promise<Party | null> {
  const raw = await ctx.redis.hget(partiesKey(name), callSid);
  return raw ? (JSON.parse(raw) as Party) : null;
}
