import { createHash } from 'node:crypto';
import type { Context } from '../context';

export const LOGIN_MAX_FAILURES = 5;
export const LOGIN_WINDOW_SECONDS = 300;

function failureKey(ip: string, email: string): string {
  // Hashed: emails are staff identifiers and do not belong in a key listing.
  return `login-fail:${createHash('sha256').update(`${ip}|${email.toLowerCase()}`).digest('hex')}`;
}

/**
 * Seconds until a blocked IP + email may try again, or 0 when it may try now.
 */
export async function loginBlockedFor(ctx: Context, ip: string, email: string): Promise<number> {
  const key = failureKey(ip, email);
  const failures = Number((await ctx.redis.get(key)) ?? 0);
  if (failures < LOGIN_MAX_FAILURES) return 0;
  return Math.max(1, await ctx.redis.ttl(key));
}

/** Counts one failed login; the window starts at the first failure. */
export async function recordLoginFailure(ctx: Context, ip: string, email: string): Promise<void> {
  const key = failureKey(ip, email);
  // SET NX EX then INCR: the expiry exists before the count does, and INCR keeps it.
  await ctx.redis.set(key, '0', 'EX', LOGIN_WINDOW_SECONDS, 'NX');
  await ctx.redis.incr(key);
}

/** Forgets the failures after a successful login. */
export async function clearLoginFailures(ctx: Context, ip: string, email: string): Promise<void> {
  await ctx.redis.del(failureKey(ip, email));
}
