import type { Context } from '../context';
import { keys, LUA_AGENT_PREFIX, LUA_TASK_PREFIX } from './keys';
import { LUA_SCORE } from './task-store';

// The one atomic assignment step. Redis runs a script alone, so with any number of careline
// instances no agent is reserved twice and no task goes to two agents.
//  1. Escalation: each waiting task moves to the step its age selects; a step's priority re-sorts it.
//  2. In order (highest priority, then oldest), each task takes the longest-idle available agent
//     whose skills satisfy the task's current requirement (and who has not declined it).
// KEYS: waiting, available, reserved. ARGV: key prefix, now (ms), ring deadline (ms), scan limit, max assignments.
const ASSIGN =
  LUA_SCORE +
  `
local prefix = ARGV[1]
local now = tonumber(ARGV[2])
local limit = tonumber(ARGV[4])
local tp = prefix .. '${LUA_TASK_PREFIX}'
local ap = prefix .. '${LUA_AGENT_PREFIX}'

for _, tid in ipairs(redis.call('ZRANGE', KEYS[1], 0, limit - 1)) do
  local tk = tp .. tid
  local f = redis.call('HMGET', tk, 'enqueuedAt', 'steps', 'step')
  if not f[1] then
    redis.call('ZREM', KEYS[1], tid)
  else
    local steps = cjson.decode(f[2])
    local age = (now - tonumber(f[1])) / 1000
    local idx = 0
    for i, s in ipairs(steps) do if age >= s.at then idx = i - 1 end end
    if idx ~= tonumber(f[3]) then
      redis.call('HSET', tk, 'step', idx)
      redis.call('ZADD', KEYS[1], task_score(tk), tid)
    end
  end
end

local agents = redis.call('ZRANGE', KEYS[2], 0, -1)
if #agents == 0 then return {} end
local skills = {}
for _, aid in ipairs(agents) do
  local s = redis.call('HGET', ap .. aid, 'skills')
  skills[aid] = s and cjson.decode(s) or {}
end

local function satisfies(sk, req)
  for _, conj in ipairs(req) do
    local ok = true
    for name, min in pairs(conj) do
      if (tonumber(sk[name]) or 0) < min then ok = false break end
    end
    if ok then return true end
  end
  return false
end

local taken = {}
local out = {}
local left = #agents
for _, tid in ipairs(redis.call('ZRANGE', KEYS[1], 0, limit - 1)) do
  if #out / 3 >= tonumber(ARGV[5]) or left == 0 then break end
  local tk = tp .. tid
  local f = redis.call('HMGET', tk, 'steps', 'step', 'skip', 'state', 'onlyAgent')
  if f[4] == 'waiting' then
    local req = cjson.decode(f[1])[tonumber(f[2]) + 1].req
    local skip = {}
    if f[3] then for _, a in ipairs(cjson.decode(f[3])) do skip[a] = true end end
    for _, aid in ipairs(agents) do
      if not taken[aid] and not skip[aid] and (not f[5] or f[5] == aid) and satisfies(skills[aid], req) then
        taken[aid] = true
        left = left - 1
        local attempt = redis.call('HINCRBY', tk, 'attempts', 1)
        redis.call('HSET', tk, 'state', 'reserved', 'agentId', aid, 'reservedAt', ARGV[2])
        redis.call('ZREM', KEYS[1], tid)
        redis.call('ZADD', KEYS[3], ARGV[3], tid)
        redis.call('ZREM', KEYS[2], aid)
        redis.call('HSET', ap .. aid, 'state', 'reserved', 'since', ARGV[2], 'task', tid)
        table.insert(out, tid)
        table.insert(out, aid)
        table.insert(out, attempt)
        break
      end
    end
  end
end
return out
`;

/** One reservation made by {@link assignWaiting}. */
export interface Reservation {
  taskId: string;
  agentId: string;
  /** how many times this task has been reserved (part of the connect URL, so retries differ) */
  attempt: number;
}

/**
 * Runs the assignment script once.
 * @param ringTimeoutSec - how long a reservation may ring before it is swept back
 * @param maxAssignments - most reservations to make in this run
 */
export async function assignWaiting(ctx: Context, ringTimeoutSec: number, maxAssignments = 50): Promise<Reservation[]> {
  const now = ctx.clock.now().getTime();
  const out = (await ctx.redis.eval(
    ASSIGN,
    3,
    keys.waiting,
    keys.available,
    keys.reserved,
    ctx.redisPrefix,
    String(now),
    String(now + ringTimeoutSec * 1000),
    '500',
    String(maxAssignments),
  )) as (string | number)[];
  const reservations: Reservation[] = [];
  for (let i = 0; i < out.length; i += 3) reservations.push({ taskId: String(out[i]), agentId: String(out[i + 1]), attempt: Number(out[i + 2]) });
  return reservations;
}
