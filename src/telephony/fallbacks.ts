import type { Config } from '../config';
import { absoluteUrl, VoiceResponse } from './twiml';

// What a caller hears when something careline depends on fails. The texts live here, not in the
// flows' prompt files: a fallback must not depend on anything that could itself have failed.

/**
 * The kinds of document Twilio asks careline for; each has its own rules on what it may hold, so
 * each needs a fallback of its own:
 * - `call`: a document the call runs (a Gather, Record, Dial or Enqueue action, a redirect, an
 *   outbound call's or a dequeue's URL): any verb
 * - `new-call`: the Voice URL of an inbound call, whose first words must be the emergency notice
 * - `wait`: an `<Enqueue waitUrl>` document and the action of a Gather inside it: only Play, Say,
 *   Pause, Hangup, Redirect, Leave and Gather (Twilio error 12200 otherwise)
 * - `hold`: hold music: Say and Play only (what a conference hold URL allows too; error 13238)
 * - `callback`: a status or AMD callback: Twilio ignores the body; an empty Response
 */
export type TwilioSurface = 'call' | 'new-call' | 'wait' | 'hold' | 'callback';

type Language = 'en' | 'es';

const LOCALES = {
  en: { voice: 'Polly.Joanna', language: 'en-US' },
  es: { voice: 'Polly.Lupe', language: 'es-US' },
} as const;

// The emergency notice says what flows/prompts' inbound.emergency says.
const TEXT = {
  en: {
    emergency: 'If this is a medical emergency, hang up and dial 911.',
    apology: 'We are sorry, we are having trouble right now.',
    connecting: 'Connecting you to a person.',
    leaveMessage: 'Please leave your name and phone number after the tone and we will call you back.',
    goodbye: 'Goodbye.',
    stayOnLine: 'Please stay on the line.',
  },
  es: {
    emergency: 'Si se trata de una emergencia médica, cuelgue y marque el 911.',
    apology: 'Lo sentimos, estamos teniendo problemas en este momento.',
    connecting: 'Le comunicamos con una persona.',
    leaveMessage: 'Deje su nombre y número de teléfono después del tono y le llamaremos.',
    goodbye: 'Adiós.',
    stayOnLine: 'Por favor, permanezca en la línea.',
  },
} as const;

function say(r: VoiceResponse, languages: readonly Language[], key: keyof (typeof TEXT)['en']): void {
  for (const l of languages) r.say(LOCALES[l], TEXT[l][key]);
}

/**
 * The general fallback: an apology, then the configured fallback number, or else a voicemail that
 * becomes a callback task.
 * @param config - FALLBACK_PHONE_NUMBER and PUBLIC_BASE_URL
 * @param language - the caller's language when known
 * @param opts - `newCall`: nothing has been said to this inbound caller yet: the emergency notice
 *   comes first, and everything is said in English and Spanish (the caller has not chosen yet)
 */
export function fallbackTwiml(config: Config, language: Language = 'en', opts: { newCall?: boolean } = {}): string {
  const r = new VoiceResponse();
  const languages: readonly Language[] = opts.newCall ? ['en', 'es'] : [language];
  if (opts.newCall) say(r, languages, 'emergency');
  say(r, languages, 'apology');
  if (config.FALLBACK_PHONE_NUMBER) {
    say(r, languages, 'connecting');
    r.dial({ timeout: 30 }, config.FALLBACK_PHONE_NUMBER);
  }
  say(r, languages, 'leaveMessage');
  r.record({ maxLength: 120, playBeep: true, action: absoluteUrl(config, '/webhooks/fallback/recorded'), timeout: 5 });
  say(r, languages, 'goodbye');
  r.hangup();
  return r.toString();
}

/**
 * The fallback valid for the document Twilio asked for (see {@link TwilioSurface}).
 * @param surface - which kind of document failed
 * @param language - the caller's language when known
 * @param holdMusicUrl - what a held caller keeps hearing
 */
export function surfaceFallback(config: Config, surface: TwilioSurface, language: Language, holdMusicUrl?: string): string {
  const r = new VoiceResponse();
  switch (surface) {
    case 'call':
      return fallbackTwiml(config, language);
    case 'new-call':
      return fallbackTwiml(config, language, { newCall: true });
    case 'wait':
      // Out of the queue: the Enqueue action (/webhooks/queue/left) then takes a voicemail.
      say(r, [language], 'apology');
      r.leave();
      return r.toString();
    case 'hold':
      // Still on hold (or waiting for the agent): the agent's resume takes the caller back as usual.
      say(r, [language], 'stayOnLine');
      if (holdMusicUrl) r.play({ loop: 0 }, holdMusicUrl);
      else r.pause({ length: 60 });
      return r.toString();
    case 'callback':
      return r.toString();
    default: {
      const never: never = surface;
      throw new Error(`unknown surface ${String(never)}`);
    }
  }
}
