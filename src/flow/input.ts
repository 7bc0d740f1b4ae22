/** What the caller did in answer to the last TwiML (one Twilio request's worth). */
export interface FlowInput {
  digits?: string;
  speech?: string;
  confidence?: number;
  recordingUrl?: string;
  recordingSid?: string;
  recordingDuration?: number;
  /** DialCallStatus of a `<Dial>` action */
  dialStatus?: string;
}

/** True when the request carries nothing the caller said or pressed (a Gather timeout). */
export function isEmptyInput(i: FlowInput): boolean {
  return !i.digits && !i.speech;
}

/** Lower case, accents removed, punctuation to spaces: "¿Inglés?" -> "ingles". */
export function normalizeSpeech(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9ñ]+/g, ' ')
    .trim();
}

const NUMBER_WORDS: Record<string, string> = {
  zero: '0', oh: '0', one: '1', two: '2', to: '2', too: '2', three: '3', four: '4', for: '4', five: '5', six: '6', seven: '7', eight: '8', nine: '9',
  cero: '0', uno: '1', una: '1', dos: '2', tres: '3', cuatro: '4', cinco: '5', seis: '6', siete: '7', ocho: '8', nueve: '9',
  first: '1', second: '2', third: '3', fourth: '4', primero: '1', primera: '1', segundo: '2', segunda: '2', tercero: '3', tercera: '3', cuarto: '4', cuarta: '4',
};

/**
 * The keypad key a spoken answer names, if it is just a number ("two", "dos", "option 2", "the first").
 * @param speech - the recognised text
 */
export function spokenKey(speech: string): string | undefined {
  const words = normalizeSpeech(speech).split(' ').filter((w) => !['option', 'opcion', 'number', 'numero', 'the', 'el', 'la', 'press', 'oprimo', 'marco'].includes(w));
  if (words.length !== 1) return undefined;
  const w = words[0]!;
  if (/^[0-9]$/.test(w)) return w;
  return NUMBER_WORDS[w];
}

/**
 * Digits spoken one by one or in groups ("1 2 3 4", "one two three four", "uno dos tres") as a digit string.
 * @returns undefined when any word is not a digit or number
 */
export function spokenDigits(speech: string): string | undefined {
  const words = normalizeSpeech(speech).split(' ').filter(Boolean);
  if (!words.length) return undefined;
  let out = '';
  for (const w of words) {
    if (/^[0-9]+$/.test(w)) out += w;
    else if (NUMBER_WORDS[w] && !['first', 'second', 'third', 'fourth', 'to', 'too', 'for'].includes(w)) out += NUMBER_WORDS[w];
    else if (['dash', 'guion', 'and', 'y'].includes(w)) continue;
    else return undefined;
  }
  return out || undefined;
}

/**
 * Whether speech contains one of the keywords (whole words, accents and case ignored).
 * @param speech - the recognised text
 * @param keywords - words or short phrases
 */
export function speechMatches(speech: string, keywords: readonly string[]): boolean {
  const text = ` ${normalizeSpeech(speech)} `;
  return keywords.some((k) => {
    const n = normalizeSpeech(k);
    return n !== '' && text.includes(` ${n} `);
  });
}
