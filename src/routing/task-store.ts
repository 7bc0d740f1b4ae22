import type { Context } from '../context';
import { keys } from './keys';
import type { Step, TaskAttributes } from './task-spec';

/** Where a routing task is in its life. */
export type TaskState = 'waiting' | 'reserved' | 'connected' | 'wrapup' | 'done' | 'abandoned' | 'converted';

/** What the agent's screen pop shows about the caller (no PHI: names are read through the API, audited). */
export interface PopInfo {
  ivrPath: string[];
  patientId?: string;
  from?: string;
  /** callback tasks: the number to call back */
  phone?: string;
  callbackId?: string;
  /** warm transfer: the agent handing the call over (the screen pop says who) */
  warmFrom?: string;
  /** a consultation: the conference the reserved agent is rung into (the caller is already there) */
  consult?: string;
}

/** A routing task: a queued call, or a callback request routed like one. */
export interface RoutingTask extends TaskAttributes {
  id: string;
  /** the caller's call (for a callback: the call that asked for it, then the call back) */
  callSid?: string;
  priority: number;
  enqueuedAt: number;
  steps: Step[];
  step: number;
  state: TaskState;
  agentId?: string;
  onlyAgent?: string;
  attempts: number;
  queueSid?: string;
  filter: string;
  leaveFor?: 'callback' | 'voicemail';
  lastAnnounceAt?: number;
  /** the Twilio Conference of this task's conversation, once connecting */
  conference?: string;
  pop: PopInfo;
}

/** Sort score: higher priority first, then older first (the Lua scripts use the same formula). */
export function taskScore(priority: number, enqueuedAt: number): number {
  return (100 - priority) * 1e13 + enqueuedAt;
}

/** Lua: the score of a task hash `tk` at its current step. */
export const LUA_SCORE = `
local function task_score(tk)
  local f = redis.call('HMGET', tk, 'steps', 'step', 'priority', 'enqueuedAt')
  local steps = cjson.decode(f[1])
  local p = steps[tonumber(f[2]) + 1].priority
  if p == nil or p == cjson.null then p = tonumber(f[3]) end
  return (100 - p) * 1e13 + tonumber(f[4])
end
`;

// Creates a task unless a live one with that id exists (a retried webhook makes no second task).
const CREATE = `
local st = redis.call('HGET', KEYS[1], 'state')
if st and st ~= 'done' and st ~= 'abandoned' and st ~= 'converted' then return 0 end
redis.call('DEL', KEYS[1])
for i = 3, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[1])
redis.call('PERSIST', KEYS[1])
return 1
`;

// A reserved task (or one accepted on the console whose phone never answered) goes back to waiting at its old place (same priority and age: the head of its
// queue), optionally never to be offered to that agent again.
const REQUEUE =
  LUA_SCORE +
  `
local st = redis.call('HGET', KEYS[1], 'state')
if (st ~= 'reserved' and st ~= 'connected') or redis.call('HGET', KEYS[1], 'agentId') ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], 'state', 'waiting')
redis.call('HDEL', KEYS[1], 'agentId')
if ARGV[3] == '1' then
  local skip = cjson.decode(redis.call('HGET', KEYS[1], 'skip') or '[]')
  table.insert(skip, ARGV[2])
  redis.call('HSET', KEYS[1], 'skip', cjson.encode(skip))
end
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('ZADD', KEYS[2], task_score(KEYS[1]), ARGV[1])
return 1
`;

// Ends a task's wait: abandoned (caller hung up) or converted (became a callback). Returns the
// state it left and the agent it was reserved for, if any.
const END_WAIT = `
local st = redis.call('HGET', KEYS[1], 'state')
if st ~= 'waiting' and st ~= 'reserved' then return {st or '', ''} end
local agent = redis.call('HGET', KEYS[1], 'agentId') or ''
redis.call('HSET', KEYS[1], 'state', ARGV[2])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('SREM', KEYS[4], ARGV[1])
redis.call('EXPIRE', KEYS[1], 86400)
return {st, agent}
`;

// Compare-and-set of a task's state for the agent that holds it.
const TRANSITION = `
local st = redis.call('HGET', KEYS[1], 'state')
if st ~= ARGV[2] or redis.call('HGET', KEYS[1], 'agentId') ~= ARGV[3] then return 0 end
redis.call('HSET', KEYS[1], 'state', ARGV[4])
redis.call('ZREM', KEYS[2], ARGV[1])
if ARGV[4] == 'done' then
  redis.call('SREM', KEYS[3], ARGV[1])
  redis.call('EXPIRE', KEYS[1], 86400)
end
return 1
`;

/** Task id of a queued call. */
export function callTaskId(callSid: string): string {
  return `call-${callSid}`;
}

/** Task id of a callback request. */
export function callbackTaskId(callbackId: string): string {
  return `cb-${callbackId}`;
}

function fields(t: RoutingTask): string[] {
  const f: Record<string, string | undefined> = {
    id: t.id,
    kind: t.kind,
    callSid: t.callSid,
    queue: t.queue,
    language: t.language,
    reason: t.reason,
    callerType: t.callerType,
    verified: t.verified ? '1' : '0',
    requiredSkills: JSON.stringify(t.requiredSkills),
    priority: String(t.priority),
    enqueuedAt: String(t.enqueuedAt),
    steps: JSON.stringify(t.steps),
    step: String(t.step),
    state: t.state,
    onlyAgent: t.onlyAgent,
    attempts: String(t.attempts),
    queueSid: t.queueSid,
    filter: t.filter,
    conference: t.conference,
    pop: JSON.stringify(t.pop),
    skip: '[]',
  };
  return Object.entries(f).flatMap(([k, v]) => (v === undefined ? [] : [k, v]));
}

/**
 * Stores a new waiting task, unless a live task with its id exists.
 * @returns true when created
 */
export async function createTask(ctx: Context, t: RoutingTask): Promise<boolean> {
  const stepPriority = t.steps[t.step]?.priority ?? t.priority;
  const created = await ctx.redis.eval(CREATE, 3, keys.task(t.id), keys.waiting, keys.tasks, t.id, String(taskScore(stepPriority, t.enqueuedAt)), ...fields(t));
  if (created === 1 && t.callSid) await ctx.redis.set(byCallKey(t.callSid), t.id, 'EX', 86400);
  return created === 1;
}

function byCallKey(callSid: string): string {
  return `rt:bycall:${callSid}`;
}

/**
 * Remembers which task a call belongs to (a callback's outbound call).
 * @param callSid - the call
 * @param taskId - its task
 */
export async function linkCall(ctx: Context, callSid: string, taskId: string): Promise<void> {
  await ctx.redis.set(byCallKey(callSid), taskId, 'EX', 86400);
  await ctx.redis.hset(keys.task(taskId), 'callSid', callSid);
}

/** A task by id, or null. */
export async function getTask(ctx: Context, taskId: string): Promise<RoutingTask | null> {
  const h = await ctx.redis.hgetall(keys.task(taskId));
  if (!h.id) return null;
  return {
    id: h.id,
    kind: h.kind === 'callback' ? 'callback' : 'call',
    callSid: h.callSid || undefined,
    queue: h.queue ?? 'general',
    language: h.language ?? 'en',
    reason: h.reason ?? '',
    callerType: h.callerType === 'provider' ? 'provider' : 'patient',
    verified: h.verified === '1',
    requiredSkills: JSON.parse(h.requiredSkills ?? '[]') as string[],
    priority: Number(h.priority ?? 0),
    enqueuedAt: Number(h.enqueuedAt ?? 0),
    steps: JSON.parse(h.steps ?? '[]') as Step[],
    step: Number(h.step ?? 0),
    state: (h.state ?? 'done') as TaskState,
    agentId: h.agentId || undefined,
    onlyAgent: h.onlyAgent || undefined,
    attempts: Number(h.attempts ?? 0),
    queueSid: h.queueSid || undefined,
    filter: h.filter ?? 'default',
    leaveFor: h.leaveFor === 'callback' || h.leaveFor === 'voicemail' ? h.leaveFor : undefined,
    lastAnnounceAt: h.lastAnnounceAt ? Number(h.lastAnnounceAt) : undefined,
    conference: h.conference || undefined,
    pop: JSON.parse(h.pop ?? '{}') as PopInfo,
  };
}

/** The task of a call (queued call, or a callback's call), or of a task id given directly. */
export async function findTask(ctx: Context, callSidOrTaskId: string): Promise<RoutingTask | null> {
  const direct = await getTask(ctx, callSidOrTaskId);
  if (direct) return direct;
  const id = await ctx.redis.get(byCallKey(callSidOrTaskId));
  return id ? getTask(ctx, id) : null;
}

/**
 * Puts a reserved task (or an accepted one whose phone never answered) back at the head of its queue.
 * @param skipAgent - never offer it to this agent again (they declined)
 * @returns false when the task was not reserved for that agent
 */
export async function requeueTask(ctx: Context, taskId: string, agentId: string, skipAgent: boolean): Promise<boolean> {
  return (await ctx.redis.eval(REQUEUE, 3, keys.task(taskId), keys.waiting, keys.reserved, taskId, agentId, skipAgent ? '1' : '0')) === 1;
}

/**
 * Takes a waiting or reserved task out of routing.
 * @param state - abandoned (caller hung up) or converted (became a callback)
 * @returns the state it had and the agent it was reserved for
 */
export async function endWait(ctx: Context, taskId: string, state: 'abandoned' | 'converted'): Promise<{ previous: string; agentId?: string }> {
  const [previous, agentId] = (await ctx.redis.eval(END_WAIT, 4, keys.task(taskId), keys.waiting, keys.reserved, keys.tasks, taskId, state)) as [string, string];
  return { previous, agentId: agentId || undefined };
}

/**
 * Moves a task held by an agent from one state to the next (reserved -> connected -> wrapup -> done).
 * @returns false when the task was not in `from` for that agent
 */
export async function transitionTask(ctx: Context, taskId: string, agentId: string, from: TaskState, to: TaskState): Promise<boolean> {
  return (await ctx.redis.eval(TRANSITION, 3, keys.task(taskId), keys.reserved, keys.tasks, taskId, from, agentId, to)) === 1;
}

/** Sets plain fields on a task (queue sid, announcement time, leave reason). */
export async function setTaskFields(ctx: Context, taskId: string, f: Record<string, string>): Promise<void> {
  await ctx.redis.hset(keys.task(taskId), f);
}

/**
 * The next step number of a task's wait requests: Twilio re-requests the same waitUrl, so the
 * Gather action in each answer carries this to keep two presses from looking like one retried request.
 */
export async function nextWaitStep(ctx: Context, taskId: string): Promise<number> {
  return ctx.redis.hincrby(keys.task(taskId), 'waitStep', 1);
}

/** Waiting task ids in routing order (highest priority, then oldest). */
export async function waitingTaskIds(ctx: Context): Promise<string[]> {
  return ctx.redis.zrange(keys.waiting, '0', '-1');
}
