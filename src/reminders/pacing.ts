import type { Context } from '../context';

// A global calls-per-second limit shared by every worker process, in two steps, both Lua scripts on
// Redis's own clock (so workers on different machines agree):
// 1. RESERVE hands out slots spaced 1/CPS apart; a worker sleeps until its slot. Unlike a
//    fixed-window limiter, no burst ever straddles a window boundary.
// 2. GATE, right before the request to Twilio, lets a dial through only if the previous one went
//    through at least 1/CPS ago (plus 5%, so 50 ms of jitter on the way to Twilio cannot
//    put CPS + 1 requests into one second): a worker that woke late (timer, busy event loop, a slow
//    claim) waits again instead of sending right behind the next one.
const RESERVE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = math.max(now, tat)
redis.call('SET', KEYS[1], string.format('%.0f', slot + interval), 'PX', math.ceil((slot + interval - now) / 1000) + 1000)
return slot - now
`;

const GATE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local last = tonumber(redis.call('GET', KEYS[1]) or '0')
if now - last < interval then return interval - (now - last) end
redis.call('SET', KEYS[1], string.format('%.0f', now), 'PX', math.ceil(interval / 1000) + 1000)
return 0
`;

const SLOTS = 'reminders:pacing:slots';
const LAST = 'reminders:pacing:last';
const SAFETY = 1.05;

function sleepUs(us: number): Promise<void> {
  // Rounded up: a timer firing a fraction of a millisecond early would shorten the spacing.
  return new Promise((r) => setTimeout(r, Math.ceil(us / 1000)));
}

/**
 * Reserves the next dial slot under the global limit and sleeps until it comes.
 * @param callsPerSecond - the limit (REMINDER_CALLS_PER_SECOND)
 */
export async function waitForDialSlot(ctx: Context, callsPerSecond: number = ctx.config.REMINDER_CALLS_PER_SECOND): Promise<void> {
  const waitUs = Number(await ctx.redis.eval(RESERVE, 1, SLOTS, String(Math.ceil((1_000_000 / callsPerSecond) * SAFETY))));
  if (waitUs > 0) await sleepUs(waitUs);
}

/**
 * Passes when the last dial anywhere was at least 1/CPS ago (and records this one); call it
 * immediately before the request to Twilio.
 * @param callsPerSecond - the limit (REMINDER_CALLS_PER_SECOND)
 */
export async function passDialGate(ctx: Context, callsPerSecond: number = ctx.config.REMINDER_CALLS_PER_SECOND): Promise<void> {
  const intervalUs = String(Math.ceil((1_000_000 / callsPerSecond) * SAFETY));
  for (;;) {
    const waitUs = Number(await ctx.redis.eval(GATE, 1, LAST, intervalUs));
    if (waitUs <= 0) return;
    await sleepUs(waitUs);
  }
}
