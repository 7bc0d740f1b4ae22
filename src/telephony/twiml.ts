import twilio from 'twilio';
import type { Config } from '../config';

export const VoiceResponse = twilio.twiml.VoiceResponse;
export type VoiceResponse = InstanceType<typeof VoiceResponse>;

/** An absolute URL under PUBLIC_BASE_URL, as Twilio needs for every callback. */
export function absoluteUrl(config: Config, pathAndQuery: string): string {
  return `${config.publicBaseUrl}${pathAndQuery.startsWith('/') ? '' : '/'}${pathAndQuery}`;
}

const APOLOGY = {
  en: { text: 'We are sorry, we are having trouble right now.', voice: 'Polly.Joanna', language: 'en-US' },
  es: { text: 'Lo sentimos, estamos teniendo problemas en este momento.', voice: 'Polly.Lupe', language: 'es-US' },
} as const;

/**
 * What a caller hears when something careline depends on fails: an apology, then the configured
 * fallback number, or else a voicemail that becomes a callback task.
 * @param config - FALLBACK_PHONE_NUMBER and PUBLIC_BASE_URL
 * @param language - the caller's language when known
 */
export function fallbackTwiml(config: Config, language: 'en' | 'es' = 'en'): string {
  const r = new VoiceResponse();
  const a = APOLOGY[language];
  r.say({ voice: a.voice, language: a.language }, a.text);
  if (config.FALLBACK_PHONE_NUMBER) {
    r.say({ voice: a.voice, language: a.language }, language === 'es' ? 'Le comunicamos con una persona.' : 'Connecting you to a person.');
    r.dial({ timeout: 30 }, config.FALLBACK_PHONE_NUMBER);
  }
  r.say(
    { voice: a.voice, language: a.language },
    language === 'es'
      ? 'Deje su nombre y número de teléfono después del tono y le llamaremos.'
      : 'Please leave your name and phone number after the tone and we will call you back.',
  );
  r.record({ maxLength: 120, playBeep: true, action: absoluteUrl(config, '/webhooks/fallback/recorded'), timeout: 5 });
  r.say({ voice: a.voice, language: a.language }, language === 'es' ? 'Adiós.' : 'Goodbye.');
  r.hangup();
  return r.toString();
}
