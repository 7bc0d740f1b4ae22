import type { Context } from '../context';
import { CLAIMED } from './attempt-outcome';

export interface OptOutRequest {
  /** E.164 number that must not be called again */
  readonly phone: string;
  readonly patientId?: string | null;
  /** ivr (the patient pressed 9) or staff */
  readonly source: 'ivr' | 'staff';
  /** staff member who entered it */
  readonly createdBy?: string;
}

/**
 * Records an opt-out and stops every reminder to that number not yet sent to Twilio, at once, in
 * every campaign: the pending ones, and those a worker claimed and that wait for their pace slot
 * (their attempt is ended as `not_placed`). A call whose request to Twilio has started finishes.
 *
 * Race-free with the dial: a worker may call Twilio only after moving its attempt from `dialing`
 * to `calling` with a conditional update (attempt-outcome.ts `startCalling`, after the pacing
 * wait), and this ends `dialing` attempts with one too. Both write the attempt row, so PostgreSQL
 * orders them: either the worker started first (the call is under way) or it finds the attempt
 * ended and dials nothing. The pending update runs first, so a claim committing meanwhile is
 * either stopped as pending or seen by the attempt update.
 * @returns how many reminders were stopped
 */
export async function optOut(ctx: Context, r: OptOutRequest): Promise<number> {
  const now = ctx.clock.now();
  const count = await ctx.db.$transaction(async (tx) => {
    await tx.optOut.upsert({
      where: { phone: r.phone },
      create: { phone: r.phone, patientId: r.patientId ?? undefined, source: r.source, createdBy: r.createdBy, createdAt: now },
      update: {},
    });
    const pending = await tx.reminder.updateMany({ where: { phone: r.phone, status: 'pending' }, data: { status: 'opted_out', outcome: 'opted_out' } });
    const claimed = await tx.reminderAttempt.updateManyAndReturn({
      where: { status: CLAIMED, callSid: null, reminder: { phone: r.phone, status: 'dialing' } },
      data: { status: 'not_placed', endedAt: now },
      select: { reminderId: true, attempt: true },
    });
    for (const a of claimed) {
      await tx.reminder.updateMany({ where: { id: a.reminderId, status: 'dialing', attempts: a.attempt }, data: { status: 'opted_out', outcome: 'opted_out' } });
    }
    return pending.count + claimed.length;
  });
  ctx.log.info('reminder opt-out recorded', { source: r.source, stoppedReminders: count });
  return count;
}

/** Whether a number has opted out of reminder calls. */
export async function isOptedOut(ctx: Context, phone: string): Promise<boolean> {
  return (await ctx.db.optOut.count({ where: { phone } })) > 0;
}
