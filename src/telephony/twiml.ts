import twilio from 'twilio';
import type { Config } from '../config';

export const VoiceResponse = twilio.twiml.VoiceResponse;
export type VoiceResponse = InstanceType<typeof VoiceResponse>;

/** An absolute URL under PUBLIC_BASE_URL, as Twilio needs for every callback. */
export function absoluteUrl(config: Config, pathAndQuery: string): string {
  return `${config.publicBaseUrl}${pathAndQuery.startsWith('/') ? '' : '/'}${pathAndQuery}`;
}
