import { parsePhoneNumber } from 'libphonenumber-js/max';
import type { Config } from '../config';
import { VoiceResponse } from '../telephony/twiml';

const VOICE = {
  en: { voice: 'Polly.Joanna', language: 'en-US' },
  es: { voice: 'Polly.Lupe', language: 'es-US' },
} as const;

/**
 * A phone number read out digit by digit in groups, e.g. "5 5 5, 0 1 0, 0 0 0 0".
 * @param e164 - the number
 */
export function spokenNumber(e164: string): string {
  let national = e164.replace(/\D/g, '');
  try {
    national = parsePhoneNumber(e164).nationalNumber;
  } catch {
    // not parseable: read every digit
  }
  const groups = national.length === 10 ? [national.slice(0, 3), national.slice(3, 6), national.slice(6)] : [national];
  return groups.map((g) => g.split('').join(' ')).join(', ');
}

/**
 * The message left on an answering machine: the practice's name and call-back number, nothing
 * else (no drug, no appointment reason: anyone may hear a voicemail), well under a minute.
 * @param config - PRACTICE_NAME and CARELINE_PHONE_NUMBER
 * @param language - the patient's language
 */
export function voicemailTwiml(config: Config, language: 'en' | 'es'): string {
  const v = VOICE[language];
  const name = config.PRACTICE_NAME;
  const number = spokenNumber(config.CARELINE_PHONE_NUMBER);
  const r = new VoiceResponse();
  r.say(
    v,
    language === 'es'
      ? `Hola, le llama ${name} con un mensaje. Por favor devuélvanos la llamada al ${number}. Otra vez, el número es ${number}. Gracias.`
      : `Hello, this is ${name} calling with a message. Please call us back at ${number}. Again, that number is ${number}. Thank you.`,
  );
  r.hangup();
  return r.toString();
}
