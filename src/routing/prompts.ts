// What a waiting caller hears, per language. Kept beside routing because the numbers in them
// (position, minutes) come from routing; the IVR's own prompts live in flows/prompts.

export type QueueLanguage = 'en' | 'es';

export const VOICES = {
  en: { voice: 'Polly.Joanna', language: 'en-US' },
  es: { voice: 'Polly.Lupe', language: 'es-US' },
} as const;

/** The caller's language when routing speaks it, else English. */
export function queueLanguage(language: string | undefined): QueueLanguage {
  return language === 'es' ? 'es' : 'en';
}

export const queuePrompts = {
  position: (lang: QueueLanguage, position: number, minutes: number) =>
    lang === 'es'
      ? `Usted es el número ${position} en la fila. El tiempo de espera estimado es de ${minutes <= 1 ? 'menos de un minuto' : `unos ${minutes} minutos`}.`
      : `You are number ${position} in line. Your estimated wait is ${minutes <= 1 ? 'less than a minute' : `about ${minutes} minutes`}.`,
  offerCallback: (lang: QueueLanguage) =>
    lang === 'es'
      ? 'Para que le devolvamos la llamada sin perder su lugar en la fila, marque 1.'
      : 'To get a call back instead, without losing your place in line, press 1.',
  callbackConfirmed: (lang: QueueLanguage) =>
    lang === 'es'
      ? 'Gracias. Conservamos su lugar y le llamaremos en cuanto haya una persona disponible. Adiós.'
      : 'Thank you. We kept your place in line and will call you back as soon as someone is free. Goodbye.',
  connecting: (lang: QueueLanguage) => (lang === 'es' ? 'Le comunicamos ahora.' : 'Connecting you now.'),
  voicemail: (lang: QueueLanguage) =>
    lang === 'es'
      ? 'Todas nuestras personas siguen ocupadas. Deje su nombre, número y motivo de la llamada después del tono, y le llamaremos.'
      : 'Everyone is still busy. Please leave your name, number and the reason for your call after the tone, and we will call you back.',
  voicemailThanks: (lang: QueueLanguage) => (lang === 'es' ? 'Gracias. Le llamaremos. Adiós.' : 'Thank you. We will call you back. Goodbye.'),
  goodbye: (lang: QueueLanguage) => (lang === 'es' ? 'Gracias por llamar. Adiós.' : 'Thank you for calling. Goodbye.'),
  callbackGreeting: (lang: QueueLanguage, practice: string) =>
    lang === 'es' ? `Hola, le llamamos de ${practice} como lo pidió. Un momento, por favor.` : `Hello, this is ${practice} returning your call. One moment, please.`,
  onHold: (lang: QueueLanguage) => (lang === 'es' ? 'Por favor, espere en la línea.' : 'Please hold.'),
  thanksForHolding: (lang: QueueLanguage) => (lang === 'es' ? 'Gracias por esperar. Enseguida le atendemos.' : 'Thank you for holding. We will be right with you.'),
};
