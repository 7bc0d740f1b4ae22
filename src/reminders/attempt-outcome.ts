import type { Context } from '../context';
import { updateCallRecord } from '../records/call-events';
import type { DialJob } from './dial';
import { addReminderJob } from './reminder-queue';

/** Call statuses that mean nobody was reached: the reminder is tried again (up to maxAttempts). */
const UNREACHED = ['busy', 'no-answer', 'failed', 'canceled'];
/** What a person did in the reminder flow; the attempt's status carries it. */
export const RESPONSES = ['confirmed', 'refill_requested', 'transferred', 'reschedule', 'opted_out'] as const;
export type ReminderResponse = (typeof RESPONSES)[number];

/**
 * An attempt is `dialing` from its claim until the request to Twilio starts, then `calling` until
 * Twilio's answer (the call SID) is written. Only a `calling` attempt can have a call at Twilio.
 */
export const CLAIMED = 'dialing';
export const CALLING = 'calling';

/** Claims that never reach Twilio (errors, crashes) stop a reminder after this many times maxAttempts. */
const MAX_CLAIMS_FACTOR = 3;
const RETRY_BACKOFF_MS = 4 * 3_600_000;

export interface Release {
  /** the status the attempt must still have (dialing: never sent; calling: Twilio answered with an error) */
  readonly from: typeof CLAIMED | typeof CALLING;
  readonly attemptStatus: 'not_placed' | 'failed';
  readonly reminderStatus: 'pending' | 'failed';
  readonly outcome: string | null;
  /** pending: when the next attempt may run */
  readonly retryAt?: Date;
}

/**
 * Ends an attempt that has no call (Twilio refused or never got the request) and moves the
 * reminder on: back to pending with the next attempt enqueued, or failed. Conditional on the
 * attempt still `dialing`, so it happens once.
 * @returns false when the attempt had already moved on
 */
export async function releaseAttempt(ctx: Context, j: DialJob, rel: Release): Promise<boolean> {
  const now = ctx.clock.now();
  const { count } = await ctx.db.reminderAttempt.updateMany({
    where: { reminderId: j.reminderId, attempt: j.attempt, status: rel.from, callSid: null },
    data: { status: rel.attemptStatus, endedAt: now },
  });
  if (!count) return false;
  const reminder = await ctx.db.reminder.findUnique({ where: { id: j.reminderId }, include: { campaign: { select: { maxAttempts: true } } } });
  if (!reminder) return true;
  const exhausted = j.attempt >= reminder.campaign.maxAttempts * MAX_CLAIMS_FACTOR;
  const status = rel.reminderStatus === 'pending' && exhausted ? 'failed' : rel.reminderStatus;
  const moved = await ctx.db.reminder.updateMany({
    where: { id: j.reminderId, status: 'dialing', attempts: j.attempt },
    data: { status, outcome: status === 'failed' ? (rel.outcome ?? 'dial_errors') : rel.outcome, nextAttemptAt: rel.retryAt ?? now },
  });
  if (moved.count && status === 'pending') await addReminderJob(ctx, j.reminderId, j.attempt + 1, rel.retryAt);
  return true;
}

export interface CallEnd extends DialJob {
  readonly callSid: string;
  /** Twilio's terminal CallStatus */
  readonly status: string;
}

/**
 * Records the end of a reminder call (its terminal status callback) and decides the reminder:
 * retried later when nobody was reached and attempts remain, else completed with what happened
 * (a person's choice, a voicemail left) or failed. Safe to call twice: only the first end counts.
 */
export async function finishAttempt(ctx: Context, e: CallEnd): Promise<void> {
  const attempt = await ctx.db.reminderAttempt.findUnique({ where: { reminderId_attempt: { reminderId: e.reminderId, attempt: e.attempt } } });
  if (!attempt || attempt.endedAt) return;
  const unreached = UNREACHED.includes(e.status);
  // A person who hung up before choosing anything (AnsweredBy stays on the row) simply answered.
  const final = unreached ? e.status : [CLAIMED, CALLING, 'human'].includes(attempt.status) ? 'answered' : attempt.status;
  const now = ctx.clock.now();
  const { count } = await ctx.db.reminderAttempt.updateMany({
    where: { id: attempt.id, endedAt: null },
    data: { status: final, endedAt: now, callSid: attempt.callSid ?? e.callSid },
  });
  if (!count) return;

  const reminder = await ctx.db.reminder.findUnique({ where: { id: e.reminderId }, include: { campaign: { select: { maxAttempts: true } } } });
  if (!reminder) return;
  const still = { id: e.reminderId, status: 'dialing', attempts: e.attempt };
  if (unreached) {
    const placed = await ctx.db.reminderAttempt.count({ where: { reminderId: e.reminderId, status: { not: 'not_placed' } } });
    if (placed < reminder.campaign.maxAttempts) {
      const retryAt = new Date(now.getTime() + RETRY_BACKOFF_MS * placed);
      const moved = await ctx.db.reminder.updateMany({ where: still, data: { status: 'pending', nextAttemptAt: retryAt } });
      if (moved.count) await addReminderJob(ctx, e.reminderId, e.attempt + 1, retryAt);
    } else {
      await ctx.db.reminder.updateMany({ where: still, data: { status: 'failed', outcome: 'unreachable' } });
    }
    await updateCallRecord(ctx, e.callSid, { outcome: 'reminder_unreached' });
    return;
  }
  const outcome = final === 'machine' ? 'voicemail' : final;
  const status = final === 'opted_out' ? 'opted_out' : final === 'fax' ? 'failed' : 'completed';
  await ctx.db.reminder.updateMany({ where: still, data: { status, outcome } });
  await updateCallRecord(ctx, e.callSid, { outcome: `reminder_${outcome}` });
}

/**
 * Notes who answered (async AMD) on the attempt and the call's record.
 * @returns human, machine or fax
 */
export async function recordAnsweredBy(ctx: Context, j: DialJob, callSid: string, answeredBy: string): Promise<'human' | 'machine' | 'fax'> {
  const kind = answeredBy.startsWith('machine') ? 'machine' : answeredBy === 'fax' ? 'fax' : 'human';
  await ctx.db.reminderAttempt.updateMany({ where: { reminderId: j.reminderId, attempt: j.attempt, endedAt: null, status: { in: [CLAIMED, CALLING] } }, data: { status: kind } });
  await ctx.db.reminderAttempt.updateMany({ where: { reminderId: j.reminderId, attempt: j.attempt }, data: { answeredBy } });
  await updateCallRecord(ctx, callSid, { answeredBy });
  return kind;
}

/**
 * Notes what the person did in the reminder flow on the attempt of the call.
 * @param callSid - the reminder call
 * @param response - confirmed, refill_requested, transferred, reschedule, opted_out
 */
export async function recordResponse(ctx: Context, callSid: string, response: ReminderResponse): Promise<void> {
  await ctx.db.reminderAttempt.updateMany({ where: { callSid, endedAt: null }, data: { status: response } });
}

/**
 * Moves a claimed attempt to `calling` right before the request to Twilio. Conditional: when the
 * sweep released the claim meanwhile (a very slow worker), this fails and nothing is dialed.
 * @returns whether the worker may call Twilio
 */
export async function startCalling(ctx: Context, j: DialJob): Promise<boolean> {
  const { count } = await ctx.db.reminderAttempt.updateMany({ where: { reminderId: j.reminderId, attempt: j.attempt, status: CLAIMED, callSid: null }, data: { status: CALLING } });
  return count > 0;
}

/**
 * Links a call to its attempt (a worker may have died between Twilio's answer and writing it down)
 * and marks the call's record as a reminder call.
 */
export async function linkCall(ctx: Context, j: DialJob, callSid: string): Promise<void> {
  const { count } = await ctx.db.reminderAttempt.updateMany({ where: { reminderId: j.reminderId, attempt: j.attempt, callSid: null }, data: { callSid } });
  if (!count) return;
  const reminder = await ctx.db.reminder.findUnique({ where: { id: j.reminderId }, select: { patientId: true, language: true } });
  await updateCallRecord(ctx, callSid, { reminderId: j.reminderId, patientId: reminder?.patientId, language: reminder?.language });
}
