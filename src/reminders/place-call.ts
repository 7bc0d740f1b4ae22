import type { Context } from '../context';
import type { Logger } from '../log';
import { startCallRecord } from '../records/call-start';
import { updateCallRecord } from '../records/call-events';
import { flowStartUrl } from '../flow/urls';
import { absoluteUrl } from '../telephony/twiml';
import { CALLING, linkCall, releaseAttempt } from './attempt-outcome';
import type { DialJob, DialResult } from './dial';
import { findUnrecordedCall } from './reconcile';

/** The query string every URL of one attempt carries (and the webhooks parse back). */
export function attemptQuery(j: DialJob): string {
  return `reminderId=${encodeURIComponent(j.reminderId)}&attempt=${j.attempt}`;
}

/** One reminder call to place: the attempt (already `calling`) and what the call needs. */
export interface OutboundReminder {
  readonly job: DialJob;
  readonly phone: string;
  readonly patientId: string;
  readonly language: string;
  /** the campaign's kind: the flow is flows/reminders/<kind>.yaml */
  readonly kind: string;
}

/**
 * Asks Twilio for one reminder call, with async answering-machine detection, and writes down its
 * SID; on an error decides what the attempt becomes (refused: failed; 429, 5xx or unreachable
 * without a call: the next attempt after a backoff; unknown: left `calling` for the sweep).
 * Call it only once the attempt is `calling` (attempt-outcome.ts `startCalling`).
 * @param o - the attempt and its call
 * @param log - the job's logger
 */
export async function requestCall(ctx: Context, o: OutboundReminder, log: Logger = ctx.log): Promise<DialResult> {
  const q = attemptQuery(o.job);
  const from = ctx.config.CARELINE_PHONE_NUMBER;
  try {
    const call = await ctx.twilio.calls.create({
      to: o.phone,
      from,
      // A person hears the reminder flow (flows/reminders/<kind>.yaml) in their language.
      url: flowStartUrl(ctx.config, `reminders/${o.kind}`, { lang: o.language, reminderId: o.job.reminderId, attempt: String(o.job.attempt) }),
      method: 'POST',
      statusCallback: absoluteUrl(ctx.config, `/webhooks/status?${q}`),
      statusCallbackMethod: 'POST',
      statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
      // DetectMessageEnd + async: the flow starts at once for a person; for a machine the verdict
      // comes after the greeting's beep, when the short message is left (see amd.ts).
      machineDetection: 'DetectMessageEnd',
      asyncAmd: 'true',
      asyncAmdStatusCallback: absoluteUrl(ctx.config, `/webhooks/reminders/amd?${q}`),
      asyncAmdStatusCallbackMethod: 'POST',
      timeout: 30,
    });
    await ctx.db.reminderAttempt.updateMany({ where: { reminderId: o.job.reminderId, attempt: o.job.attempt, callSid: null }, data: { callSid: call.sid } });
    await startCallRecord(ctx, { callSid: call.sid, from, to: o.phone, direction: 'outbound-api' });
    await updateCallRecord(ctx, call.sid, { reminderId: o.job.reminderId, patientId: o.patientId, language: o.language });
    log.info('reminder call placed', { callSid: call.sid });
    return { kind: 'done', reason: 'dialed' };
  } catch (err) {
    const status = (err as { status?: number }).status;
    const code = (err as { code?: number | string }).code;
    if (status && status >= 400 && status < 500 && status !== 429) {
      // Twilio refused this call (invalid or blocked number): retrying cannot help.
      await releaseAttempt(ctx, o.job, { from: CALLING, attemptStatus: 'failed', reminderStatus: 'failed', outcome: `dial_rejected_${code ?? status}` });
      log.warn('Twilio refused the reminder call', { status, code });
      return { kind: 'rejected', reason: `Twilio refused the call (${code ?? status})` };
    }
    if (status && status >= 500) {
      // A 5xx does not prove that no call was made (Twilio or a proxy may have made it and still
      // failed the answer): look before retrying, so the patient is never called twice.
      const made = await findUnrecordedCall(ctx, o.phone).catch(() => null);
      if (made === null) {
        log.warn('reminder call outcome unknown after a Twilio error', { status, code });
        return { kind: 'done', reason: 'dial outcome unknown' }; // stays `calling`: the sweep decides
      }
      if (made) {
        await linkCall(ctx, o.job, made.sid);
        log.warn('Twilio made the reminder call despite an error answer', { status, callSid: made.sid });
        return { kind: 'done', reason: 'dialed' };
      }
    }
    if (status || code === 'ECONNREFUSED') {
      // Twilio refused with 429 or a 5xx and made no call, or was unreachable. The next attempt
      // number takes over after a backoff.
      const retryAt = new Date(ctx.clock.now().getTime() + Math.min(30_000 * 2 ** (o.job.attempt - 1), 30 * 60_000));
      await releaseAttempt(ctx, o.job, { from: CALLING, attemptStatus: 'not_placed', reminderStatus: 'pending', outcome: null, retryAt });
      log.warn('reminder call not placed; will retry', { status, code });
      return { kind: 'done', reason: 'not placed; retry scheduled' };
    }
    // A timeout: Twilio may or may not have made the call. The attempt stays `calling`; its status
    // callbacks link it if the call exists, else reconcile.ts releases it after a while.
    log.warn('reminder call outcome unknown', { err: err instanceof Error ? err.message : String(err) });
    return { kind: 'done', reason: 'dial outcome unknown' };
  }
}
