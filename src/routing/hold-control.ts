import type { Context } from '../context';
import { absoluteUrl } from '../telephony/twiml';
import { participantOf } from './conference';
import type { Conversation } from './conversation';

/**
 * Holds or unholds the caller's leg in the conversation's conference. Twilio fetches the hold
 * music from careline's signed POST route (HoldMethod defaults to GET, so it is set); the agent
 * stays in the conference and a resume is immediate. What is recorded comes from the conference's
 * hold events, not from this request.
 */
export async function setCallerHold(ctx: Context, conv: Pick<Conversation, 'name' | 'callerSid' | 'conferenceSid'>, hold: boolean): Promise<void> {
  const holdUrl = absoluteUrl(ctx.config, `/webhooks/conference/hold?conf=${encodeURIComponent(conv.name)}`);
  await (await participantOf(ctx, conv, conv.callerSid)).update(hold ? { hold: true, holdUrl, holdMethod: 'POST' } : { hold: false });
}
