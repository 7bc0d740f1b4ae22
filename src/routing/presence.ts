import type { Context } from '../context';
import { publishAgentEvent, publishSupervisorEvent } from '../agents/live';
import { DB_FALLBACK_AFTER_MS, isDbUnavailable, withDbTimeout } from '../records/db-unavailable';
import { AGENT_STATES, keys, type AgentState } from './keys';

/** An agent's skills with levels, e.g. `{ en: 5, es: 3, pharmacy: 4, pharmacist: 1 }`. */
export type Skills = Record<string, number>;

/** An agent's live presence. */
export interface Presence {
  agentId: string;
  name: string;
  state: AgentState;
  /** when the state last changed */
  since: Date;
  skills: Skills;
  /** the routing task the agent holds (reserved, busy or wrapping up), if any */
  taskId?: string;
}

// Atomic state change. Staff may not move an agent out of reserved/busy: only routing does (force).
// Becoming available (from any other state) starts the idle clock that "longest idle" reads.
const SET_STATE = `
local cur = redis.call('HGET', KEYS[1], 'state') or 'offline'
local want = ARGV[2]
if ARGV[6] ~= '1' and (cur == 'reserved' or cur == 'busy') and want ~= cur then
  return {0, cur}
end
if ARGV[7] ~= '' and cur ~= ARGV[7] then
  return {0, cur}
end
redis.call('HSET', KEYS[1], 'state', want, 'since', ARGV[3], 'name', ARGV[5])
if ARGV[4] ~= '' then redis.call('HSET', KEYS[1], 'skills', ARGV[4]) end
if want == 'available' or want == 'offline' or want == 'break' then redis.call('HDEL', KEYS[1], 'task') end
redis.call('SADD', KEYS[3], ARGV[1])
if want == 'available' then
  if cur ~= 'available' then redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1]) end
else
  redis.call('ZREM', KEYS[2], ARGV[1])
end
return {1, cur}
`;

/** Skills as stored on the Agent row (Json), keeping only numeric levels. */
export function skillsOf(json: unknown): Skills {
  const out: Skills = {};
  if (!json || typeof json !== 'object' || Array.isArray(json)) return out;
  for (const [k, v] of Object.entries(json as Record<string, unknown>)) {
    const n = typeof v === 'number' ? v : typeof v === 'boolean' ? (v ? 1 : 0) : Number(v);
    if (Number.isFinite(n) && n > 0) out[k] = n;
  }
  return out;
}

export interface SetStateOptions {
  /** routing's own transitions (reserve, answer, hang-up) may leave reserved/busy */
  force?: boolean;
  /** change only if the agent is currently in this state (compare-and-set) */
  ifState?: AgentState;
  /** why, for the supervisor view and logs (e.g. ring-no-answer) */
  reason?: string;
}

export interface StateChange {
  changed: boolean;
  previous: AgentState;
}

/**
 * Sets an agent's state atomically and tells the agent's browsers and the supervisors.
 * Staff cannot leave reserved or busy (409 at the API); routing passes `force`.
 * @param agentId - the agent
 * @param state - the new state
 */
export async function setAgentState(ctx: Context, agentId: string, state: AgentState, opts: SetStateOptions = {}): Promise<StateChange> {
  const agent = await agentProfile(ctx, agentId);
  if (!agent) throw new Error(`unknown agent ${agentId}`);
  const now = ctx.clock.now().getTime();
  const [ok, previous] = (await ctx.redis.eval(
    SET_STATE,
    3,
    keys.agent(agentId),
    keys.available,
    keys.agents,
    agentId,
    state,
    String(now),
    JSON.stringify(agent.skills),
    agent.name,
    opts.force ? '1' : '0',
    opts.ifState ?? '',
  )) as [number, AgentState];
  const changed = ok === 1;
  if (changed && previous !== state) {
    ctx.log.info('agent state changed', { agentId, from: previous, to: state, reason: opts.reason });
    const event = { type: 'state', agentId, state, previous, reason: opts.reason, at: new Date(now).toISOString() };
    await publishAgentEvent(ctx, agentId, event);
    await publishSupervisorEvent(ctx, event);
  }
  return { changed, previous };
}

/**
 * The name and skills routing needs of an agent: from PostgreSQL, or while it is down from the
 * copy every state change keeps in the agent's presence (so agents go available, take calls and
 * wrap up through a database outage).
 * @returns null for an agent PostgreSQL does not know
 * @throws the database error when PostgreSQL is down and Redis has never seen the agent
 */
export async function agentProfile(ctx: Context, agentId: string): Promise<{ name: string; skills: Skills } | null> {
  try {
    const agent = await withDbTimeout(ctx.db.agent.findUnique({ where: { id: agentId }, select: { name: true, skills: true } }), DB_FALLBACK_AFTER_MS);
    return agent && { name: agent.name, skills: skillsOf(agent.skills) };
  } catch (err) {
    if (!isDbUnavailable(err)) throw err;
    const [name, skills] = await ctx.redis.hmget(keys.agent(agentId), 'name', 'skills');
    if (name === null || skills === null) throw err;
    return { name, skills: JSON.parse(skills) as Skills };
  }
}

function parsePresence(agentId: string, h: Record<string, string>): Presence {
  const state = (AGENT_STATES as readonly string[]).includes(h.state ?? '') ? (h.state as AgentState) : 'offline';
  return {
    agentId,
    name: h.name ?? '',
    state,
    since: new Date(Number(h.since ?? 0)),
    skills: h.skills ? (JSON.parse(h.skills) as Skills) : {},
    taskId: h.task || undefined,
  };
}

/** One agent's presence (offline when never seen). */
export async function getPresence(ctx: Context, agentId: string): Promise<Presence> {
  return parsePresence(agentId, await ctx.redis.hgetall(keys.agent(agentId)));
}

/** Every agent that has a presence, for the supervisor view. */
export async function listPresence(ctx: Context): Promise<Presence[]> {
  const ids = await ctx.redis.smembers(keys.agents);
  if (!ids.length) return [];
  const pipeline = ctx.redis.pipeline();
  for (const id of ids) pipeline.hgetall(keys.agent(id));
  const rows = (await pipeline.exec()) ?? [];
  return ids.map((id, i) => parsePresence(id, (rows[i]?.[1] as Record<string, string>) ?? {}));
}
