import type { Context } from '../context';
import { TERMINAL_STATUSES } from '../records/call-status';
import { CALLING, CLAIMED, finishAttempt, linkCall, releaseAttempt } from './attempt-outcome';
import { hasClaimLease } from './claim-lease';
import { initReminderQueue, reminderJobId } from './reminder-queue';

export interface SweepOptions {
  /** a due reminder is only checked once it has waited this long (its job normally runs first) */
  readonly graceMs?: number;
  /** a claim never sent to Twilio whose worker's lease is gone (the worker died) is released after this long */
  readonly orphanClaimMs?: number;
  /** a claim never sent to Twilio after this long is released even with a lease (a worker stuck waiting) */
  readonly staleClaimMs?: number;
  /** a claim sent to Twilio without an answer after this long is looked up at Twilio, then released */
  readonly staleCallingMs?: number;
  /** a call without an end after this long is looked up at Twilio */
  readonly stuckCallMs?: number;
  readonly limit?: number;
}

export interface SweepResult {
  /** jobs added, promoted or retried for due reminders */
  readonly requeued: number;
  /** claims found to have a call after all */
  readonly linked: number;
  /** claims released (no call was made) */
  readonly released: number;
  /** calls whose end was learnt from Twilio */
  readonly finished: number;
}

/**
 * Makes sure the job of a due reminder exists and can run: added when Redis lost it, promoted when
 * it waits as delayed (its delay was computed for a moment that has come), retried when failed.
 * @returns whether anything had to be done
 */
async function ensureRunnable(ctx: Context, reminderId: string, attempt: number): Promise<boolean> {
  const queue = initReminderQueue(ctx);
  const id = reminderJobId(reminderId, attempt);
  const job = await queue.getJob(id);
  const state = job ? await job.getState() : 'unknown';
  if (job && state === 'delayed') {
    await job.promote();
    return true;
  }
  if (job && state === 'failed') {
    await job.retry('failed');
    return true;
  }
  if (job && state !== 'completed' && state !== 'unknown') return false;
  if (job) await job.remove();
  await queue.add('dial', { reminderId, attempt, traceId: `sweep-${Date.now().toString(36)}` }, { jobId: id });
  return true;
}

/**
 * Looks for a call Twilio made for a claim whose call SID was never written (a worker died, or
 * Twilio answered the create with an error after making the call).
 */
export async function findUnrecordedCall(ctx: Context, phone: string): Promise<{ sid: string; status: string } | undefined> {
  const calls = await ctx.twilio.calls.list({ to: phone, from: ctx.config.CARELINE_PHONE_NUMBER, limit: 50 });
  const ours = calls.filter((c) => c.direction === 'outbound-api');
  if (!ours.length) return undefined;
  const known = new Set(
    (await ctx.db.reminderAttempt.findMany({ where: { callSid: { in: ours.map((c) => c.sid) } }, select: { callSid: true } })).map((a) => a.callSid),
  );
  const c = ours.find((x) => !known.has(x.sid));
  return c ? { sid: c.sid, status: c.status } : undefined;
}

/**
 * Repairs what crashes and Redis outages leave behind; PostgreSQL is the truth, Redis only
 * schedules. Run every minute (campaign-scheduler.ts) and safe to run anywhere, any number of times:
 * - a due `pending` reminder whose job is gone, failed or still delayed gets a runnable job;
 * - a claimed attempt with no call after a while: if it was `calling` and Twilio has an unrecorded
 *   call to that number, the call is linked (never dialed again); else the claim is released and the
 *   next attempt enqueued. A claim not yet sent is released within a minute once its worker's lease
 *   is gone (claim-lease.ts: the worker died), else only after staleClaimMs;
 * - a call with no end after a while: its status is fetched from Twilio.
 */
export async function sweepReminders(ctx: Context, opts: SweepOptions = {}): Promise<SweepResult> {
  const now = ctx.clock.now();
  const limit = opts.limit ?? 500;
  let requeued = 0;
  let linked = 0;
  let released = 0;
  let finished = 0;

  const due = await ctx.db.reminder.findMany({
    where: { status: 'pending', nextAttemptAt: { lte: new Date(now.getTime() - (opts.graceMs ?? 120_000)) }, campaign: { status: 'running' } },
    select: { id: true, attempts: true },
    orderBy: { nextAttemptAt: 'asc' },
    take: limit,
  });
  for (const r of due) if (await ensureRunnable(ctx, r.id, r.attempts + 1)) requeued++;

  const stale = await ctx.db.reminderAttempt.findMany({
    where: {
      callSid: null,
      OR: [
        { status: CLAIMED, createdAt: { lte: new Date(now.getTime() - (opts.orphanClaimMs ?? 30_000)) } },
        { status: CALLING, createdAt: { lte: new Date(now.getTime() - (opts.staleCallingMs ?? 3 * 60_000)) } },
      ],
    },
    include: { reminder: { select: { phone: true } } },
    take: limit,
  });
  const abandonedBefore = new Date(now.getTime() - (opts.staleClaimMs ?? 10 * 60_000));
  for (const a of stale) {
    const j = { reminderId: a.reminderId, attempt: a.attempt };
    // A claim whose worker still renews its lease is waiting for its pace slot: left alone (a
    // release would only make its startCalling fail) unless it has waited implausibly long.
    if (a.status === CLAIMED && a.createdAt > abandonedBefore && (await hasClaimLease(ctx, j).catch(() => true))) continue;
    // Only a `calling` attempt can have reached Twilio: look there before giving up on it.
    const call = a.status === CALLING ? await findUnrecordedCall(ctx, a.reminder.phone) : undefined;
    if (call) {
      await linkCall(ctx, j, call.sid);
      if (TERMINAL_STATUSES.includes(call.status)) await finishAttempt(ctx, { ...j, callSid: call.sid, status: call.status });
      linked++;
      continue;
    }
    const from = a.status === CALLING ? CALLING : CLAIMED;
    if (await releaseAttempt(ctx, j, { from, attemptStatus: 'not_placed', reminderStatus: 'pending', outcome: null, retryAt: now })) released++;
  }

  const stuck = await ctx.db.reminderAttempt.findMany({
    where: { endedAt: null, callSid: { not: null }, createdAt: { lte: new Date(now.getTime() - (opts.stuckCallMs ?? 30 * 60_000)) } },
    take: limit,
  });
  for (const a of stuck) {
    const call = await ctx.twilio.calls(a.callSid!).fetch().catch(() => undefined);
    if (!call || !TERMINAL_STATUSES.includes(call.status)) continue;
    await finishAttempt(ctx, { reminderId: a.reminderId, attempt: a.attempt, callSid: a.callSid!, status: call.status });
    finished++;
  }
  if (requeued || linked || released || finished) ctx.log.info('reminder sweep repaired state', { requeued, linked, released, finished });
  return { requeued, linked, released, finished };
}
