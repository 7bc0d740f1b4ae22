import type { Context } from '../context';
import { recordAnsweredBy } from './attempt-outcome';
import type { DialJob } from './dial';
import { voicemailTwiml } from './voicemail';

/**
 * Acts on the async AMD verdict of a reminder call. With async AMD the reminder flow is already
 * playing when the verdict comes, so a machine is handled by replacing the live call's TwiML
 * through the REST API (Twilio's documented pattern): after the beep (DetectMessageEnd) the
 * minimum-necessary message is left and the call hangs up. A person keeps the flow; a fax is hung up.
 * @param j - the reminder attempt
 * @param callSid - the call
 * @param answeredBy - Twilio's AnsweredBy (human, machine_end_beep, machine_end_silence, fax, unknown, ...)
 */
export async function handleAmdResult(ctx: Context, j: DialJob, callSid: string, answeredBy: string): Promise<void> {
  const kind = await recordAnsweredBy(ctx, j, callSid, answeredBy);
  if (kind === 'human') return;
  const reminder = await ctx.db.reminder.findUnique({ where: { id: j.reminderId }, select: { language: true } });
  const language = reminder?.language === 'es' ? 'es' : 'en';
  try {
    if (kind === 'machine') await ctx.twilio.calls(callSid).update({ twiml: voicemailTwiml(ctx.config, language) });
    else await ctx.twilio.calls(callSid).update({ status: 'completed' });
  } catch (err) {
    // The call may have ended meanwhile (the machine hung up): nothing left to do.
    ctx.log.warn('could not update the reminder call after AMD', { callSid, answeredBy, err: err instanceof Error ? err.message : String(err) });
  }
}
