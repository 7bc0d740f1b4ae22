import type { Context } from '../context';

// A global calls-per-second limit shared by every worker process, in two steps, both Lua scripts on
// Redis's own clock (so workers on different machines agree):
// 1. RESERVE hands out slots spaced exactly 1/CPS apart; a worker sleeps until its slot. Unlike a
//    fixed-window limiter, no burst ever straddles a window boundary, and the mean rate is the limit.
// 2. GATE, right before the request to Twilio, is a sliding window: a dial passes only if fewer
//    than N dials (N = CPS, at least 1) went through in the last N/CPS seconds plus a 10 ms margin
//    for jitter on the way to Twilio. A worker that woke late (timer, busy event loop, a slow
//    claim) therefore never sends right behind the next one in a burst above the limit, while the
//    slots after it can still catch up, so lateness does not pile up as a lower rate.
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
local n = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
if redis.call('LLEN', KEYS[1]) >= n then
  local oldest = tonumber(redis.call('LINDEX', KEYS[1], n - 1))
  if now - oldest < window then return window - (now - oldest) end
end
redis.call('LPUSH', KEYS[1], string.format('%.0f', now))
redis.call('LTRIM', KEYS[1], 0, n - 1)
redis.call('PEXPIRE', KEYS[1], math.ceil(window / 1000) + 1000)
return 0
`;

const SLOTS = 'reminders:pacing:slots';
const RECENT = 'reminders:pacing:recent';
const JITTER_MARGIN_US = 10_000;

function sleepUs(us: number): Promise<void> {
  // Rounded up: a timer firing a fraction of a millisecond early would shorten the spacing.
  return new Promise((r) => setTimeout(r, Math.ceil(us / 1000)));
}

/**
 * Reserves the next dial slot under the global limit and sleeps until it comes.
 * @param callsPerSecond - the limit (REMINDER_CALLS_PER_SECOND)
 */
export async function waitForDialSlot(ctx: Context, callsPerSecond: number = ctx.config.REMINDER_CALLS_PER_SECOND): Promise<void> {
  const waitUs = Number(await ctx.redis.eval(RESERVE, 1, SLOTS, String(Math.round(1_000_000 / callsPerSecond))));
  if (waitUs > 0) await sleepUs(waitUs);
}

/**
 * Passes when fewer than CPS dials went through anywhere in the last second (and records this one);
 * call it immediately before the request to Twilio.
 * @param callsPerSecond - the limit (REMINDER_CALLS_PER_SECOND)
 */
export async function passDialGate(ctx: Context, callsPerSecond: number = ctx.config.REMINDER_CALLS_PER_SECOND): Promise<void> {
  const n = Math.max(1, Math.floor(callsPerSecond));
  const windowUs = String(Math.ceil((n / callsPerSecond) * 1_000_000) + JITTER_MARGIN_US);
  for (;;) {
    const waitUs = Number(await ctx.redis.eval(GATE, 1, RECENT, String(n), windowUs));
    if (waitUs <= 0) return;
    await sleepUs(waitUs);
  }
}
