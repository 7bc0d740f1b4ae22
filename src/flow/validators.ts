import { normalizeSpeech, spokenDigits } from './input';

/** The kinds of value a `collect` node can ask for. */
export type Validator = 'date' | 'rx' | 'phone' | 'zip' | 'digits';

export interface ValidateOptions {
  minDigits?: number;
  maxDigits?: number;
  /** the current year, for date plausibility */
  year: number;
}

const MONTHS: Record<string, number> = {
  january: 1, february: 2, march: 3, april: 4, may: 5, june: 6, july: 7, august: 8, september: 9, october: 10, november: 11, december: 12,
  jan: 1, feb: 2, mar: 3, apr: 4, jun: 6, jul: 7, aug: 8, sep: 9, sept: 9, oct: 10, nov: 11, dec: 12,
  enero: 1, febrero: 2, marzo: 3, abril: 4, mayo: 5, junio: 6, julio: 7, agosto: 8, septiembre: 9, setiembre: 9, octubre: 10, noviembre: 11, diciembre: 12,
};

const ORDINALS: Record<string, number> = {
  first: 1, second: 2, third: 3, fourth: 4, fifth: 5, sixth: 6, seventh: 7, eighth: 8, ninth: 9, tenth: 10,
  primero: 1, uno: 1, dos: 2, tres: 3, cuatro: 4, cinco: 5, seis: 6, siete: 7, ocho: 8, nueve: 9, diez: 10,
  one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
};

function isoDate(y: number, m: number, d: number, year: number): string | null {
  if (y < 1900 || y > year || m < 1 || m > 12 || d < 1) return null;
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  if (d > days) return null;
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/**
 * A date of birth keyed as MMDDYYYY (as US callers expect) or spoken: "March 7 1984",
 * "March 7th, 1984", "7 de marzo de 1984", "03/07/1984".
 * @returns ISO `YYYY-MM-DD`, or null when it is not a plausible date
 */
export function parseDate(input: string, year: number): string | null {
  const digitsOnly = input.replace(/[\s/.-]/g, '');
  if (/^\d{8}$/.test(digitsOnly)) return isoDate(+digitsOnly.slice(4), +digitsOnly.slice(0, 2), +digitsOnly.slice(2, 4), year);
  const slash = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(input.trim());
  if (slash) return isoDate(+slash[3]!, +slash[1]!, +slash[2]!, year);
  const words = normalizeSpeech(input)
    .replace(/(\d+)(st|nd|rd|th)\b/g, '$1')
    .split(' ')
    .filter((w) => w && !['de', 'del', 'the', 'of', 'el'].includes(w));
  let month: number | undefined;
  let day: number | undefined;
  let y: number | undefined;
  for (const w of words) {
    if (MONTHS[w] && month === undefined) month = MONTHS[w];
    else if (/^\d{4}$/.test(w)) y = Number(w);
    else if (/^\d{1,2}$/.test(w) && day === undefined) day = Number(w);
    else if (ORDINALS[w] && day === undefined) day = ORDINALS[w];
    else return null;
  }
  if (month === undefined || day === undefined || y === undefined) return null;
  return isoDate(y, month, day, year);
}

function digitsOf(input: { digits?: string; speech?: string }): string | undefined {
  if (input.digits) return /^\d+$/.test(input.digits) ? input.digits : undefined;
  return input.speech ? spokenDigits(input.speech) : undefined;
}

/**
 * Checks what the caller keyed or said against a validator.
 * @returns the normalised value (ISO date, digits, E.164 phone), or null when invalid
 */
export function validate(kind: Validator, input: { digits?: string; speech?: string }, opts: ValidateOptions): string | null {
  if (kind === 'date') {
    const raw = input.digits ?? input.speech;
    return raw ? parseDate(raw, opts.year) : null;
  }
  const d = digitsOf(input);
  if (!d) return null;
  switch (kind) {
    case 'rx':
      return d.length >= (opts.minDigits ?? 4) && d.length <= (opts.maxDigits ?? 12) ? d : null;
    case 'phone': {
      const national = d.length === 11 && d.startsWith('1') ? d.slice(1) : d;
      return /^[2-9]\d{9}$/.test(national) ? `+1${national}` : null;
    }
    case 'zip':
      return /^\d{5}$/.test(d) ? d : null;
    case 'digits':
      return d.length >= (opts.minDigits ?? 1) && d.length <= (opts.maxDigits ?? 20) ? d : null;
    default: {
      const never: never = kind;
      throw new Error(`unknown validator ${String(never)}`);
    }
  }
}

/** How many keys a validator needs when it is a fixed number (Gather numDigits). */
export function fixedLength(kind: Validator): number | undefined {
  return kind === 'date' ? 8 : kind === 'zip' ? 5 : kind === 'phone' ? 10 : undefined;
}

/**
 * What a call event keeps of a collected value: PHI (birth dates, Rx numbers, phones, ZIP codes) is
 * masked, keeping only its length.
 */
export function maskValue(kind: Validator, value: string): string {
  if (kind === 'digits') return value;
  return '*'.repeat(value.replace(/\D/g, '').length);
}
