import type { Context } from '../context';

// A global calls-per-second limit shared by every worker process: each dial reserves the next free
// slot, spaced exactly 1/CPS apart, in one Lua script using Redis's own clock (so workers on
// different machines agree). The caller sleeps until its slot. Unlike a fixed-window limiter this
// never lets a burst straddle a window boundary, so no one-second span ever holds more than CPS dials.
const RESERVE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = math.max(now, tat)
redis.call('SET', KEYS[1], string.format('%.0f', slot + interval), 'PX', math.ceil((slot + interval - now) / 1000) + 1000)
return slot - now
`;

const KEY = 'reminders:pacing';

/**
 * Reserves the next dial slot under the global limit and waits until it comes.
 * @param callsPerSecond - the limit (REMINDER_CALLS_PER_SECOND)
 */
export async function waitForDialSlot(ctx: Context, callsPerSecond: number = ctx.config.REMINDER_CALLS_PER_SECOND): Promise<void> {
  const intervalUs = Math.ceil(1_000_000 / callsPerSecond);
  const waitUs = Number(await ctx.redis.eval(RESERVE, 1, KEY, String(intervalUs)));
  // Rounded up: a timer firing a fraction of a millisecond early would shorten the spacing.
  if (waitUs > 0) await new Promise((r) => setTimeout(r, Math.ceil(waitUs / 1000)));
}
