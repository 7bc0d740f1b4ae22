import type { Context } from '../context';
import { VoiceResponse } from '../telephony/twiml';

/**
 * The minimal inbound answer used until the flow engine takes the call.
 * @param ctx - for the practice name
 */
export function greetingTwiml(ctx: Context): string {
  const r = new VoiceResponse();
  r.say({ voice: 'Polly.Joanna', language: 'en-US' }, `Thank you for calling ${ctx.config.PRACTICE_NAME}.`);
  r.say({ voice: 'Polly.Joanna', language: 'en-US' }, 'If this is a medical emergency, hang up and dial 911.');
  return r.toString();
}
