import type { Context } from '../context';
import { applyStatusCallback, TERMINAL_STATUSES, type StatusUpdate } from '../records/call-status';
import { finishAttempt, linkCall } from './attempt-outcome';
import type { DialJob } from './dial';

/**
 * A status callback of a reminder call: the call's record is kept like any other call's
 * (applyStatusCallback), the call is linked to its attempt, and its end decides the reminder.
 * @param j - the attempt the call belongs to (from the callback URL)
 * @param u - the callback
 */
export async function handleReminderStatus(ctx: Context, j: DialJob, u: StatusUpdate): Promise<void> {
  await applyStatusCallback(ctx, u);
  await linkCall(ctx, j, u.callSid);
  if (TERMINAL_STATUSES.includes(u.status)) await finishAttempt(ctx, { ...j, callSid: u.callSid, status: u.status });
}
