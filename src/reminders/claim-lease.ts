import type { Context } from '../context';
import type { DialJob } from './dial';

/**
 * How long a claim's lease lives without renewal. A worker that dies holding claims stops renewing,
 * so the sweep can hand its unsent claims back this long after (reconcile.ts), instead of waiting
 * out the time a live worker may legitimately wait for its pace slot.
 */
export const CLAIM_LEASE_MS = 15_000;

export interface ClaimLease {
  /** stops renewing and drops the lease (the claim has been sent, released or not made) */
  release(): Promise<void>;
}

function leaseKey(j: DialJob): string {
  return `reminders:lease:${j.reminderId}:${j.attempt}`;
}

/**
 * Takes the Redis lease of one attempt's claim and renews it every third of its life until
 * released. Taken before the claim, so a committed claim of a live worker always has one. Only a
 * hint for the sweep: the dial itself still goes through the conditional `startCalling` in
 * PostgreSQL, so a lease lost while the worker lives (Redis restarted, a stalled process) costs a
 * released claim, never a second call.
 * @param ms - lease life (tests shorten it)
 */
export async function takeClaimLease(ctx: Context, j: DialJob, ms = CLAIM_LEASE_MS): Promise<ClaimLease> {
  const key = leaseKey(j);
  await ctx.redis.set(key, '1', 'PX', ms);
  // SET rather than PEXPIRE: a lease lost to a Redis restart comes back while the worker lives.
  const timer = setInterval(() => void ctx.redis.set(key, '1', 'PX', ms).catch(() => undefined), Math.max(1, Math.floor(ms / 3)));
  timer.unref();
  return {
    async release() {
      clearInterval(timer);
      await ctx.redis.del(key).catch(() => undefined);
    },
  };
}

/** Whether a live worker still holds the claim of this attempt. */
export async function hasClaimLease(ctx: Context, j: DialJob): Promise<boolean> {
  return (await ctx.redis.exists(leaseKey(j))) > 0;
}
