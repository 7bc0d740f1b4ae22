import type { Context } from '../context';
import { absoluteUrl } from '../telephony/twiml';
import type { Conversation } from './conversation';

/**
 * Holds or unholds the caller's leg in the conversation's conference. Twilio fetches the hold
 * music from careline's signed POST route (HoldMethod defaults to GET, so it is set); the agent
 * stays in the conference and a resume is immediate. What is recorded comes from the conference's
 * hold events, not from this request.
 */
export async function setCallerHold(ctx: Context, conv: Pick<Conversation, 'name' | 'callerSid'>, hold: boolean): Promise<void> {
  const holdUrl = absoluteUrl(ctx.config, `/webhooks/conference/hold?conf=${encodeURIComponent(conv.name)}`);
  await ctx.twilio.conferences(conv.name).participants(conv.callerSid).update(hold ? { hold: true, holdUrl, holdMethod: 'POST' } : { hold: false });
}
