import { createHash } from 'node:crypto';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { FhirCodeableConcept } from './resources';

export interface NormalizedPhone {
  e164: string;
  raw: string;
  dialable: boolean;
}

/**
 * Normalises a phone number to E.164 (default country US). Fictional numbers (NANP 555-01xx) and
 * numbers libphonenumber does not call valid (Synthea's `555-xxx-xxxx`) are kept but not dialable.
 * @param raw - the number as written in the source
 * @returns null when the value holds no digits at all
 */
export function normalizePhone(raw: string): NormalizedPhone | null {
  const parsed = parsePhoneNumberFromString(raw, 'US');
  const digits = raw.replace(/\D/g, '');
  if (!parsed) return digits ? { e164: `+${digits}`, raw, dialable: false } : null;
  const e164 = parsed.number;
  const fictional = parsed.countryCallingCode === '1' && /^\d{3}55501\d{2}$/.test(parsed.nationalNumber);
  return { e164, raw, dialable: parsed.isValid() && !fictional };
}

// Names that appear in communication.language.text when there is no BCP-47 coding.
const LANGUAGE_NAMES: Record<string, string> = {
  english: 'en',
  spanish: 'es',
  español: 'es',
  espanol: 'es',
  vietnamese: 'vi',
  'tiếng việt': 'vi',
  chinese: 'zh',
  mandarin: 'zh',
  cantonese: 'zh',
  french: 'fr',
  portuguese: 'pt',
  russian: 'ru',
  arabic: 'ar',
  korean: 'ko',
  tagalog: 'tl',
  haitian: 'ht',
  'haitian creole': 'ht',
  german: 'de',
  italian: 'it',
  polish: 'pl',
  japanese: 'ja',
  hindi: 'hi',
};

/**
 * The BCP-47 primary language tag of a FHIR language concept (`en-US` -> `en`, "Spanish" -> `es`).
 * @param concept - Patient.communication.language
 * @returns null when nothing recognisable is there
 */
export function languageTag(concept: FhirCodeableConcept | undefined): string | null {
  if (!concept) return null;
  for (const c of concept.coding ?? []) {
    const m = c.code?.trim().match(/^([A-Za-z]{2,3})(?:[-_].*)?$/);
    if (m) return m[1].toLowerCase();
  }
  const text = (concept.text ?? concept.coding?.find((c) => c.display)?.display)?.trim().toLowerCase();
  if (!text) return null;
  if (LANGUAGE_NAMES[text]) return LANGUAGE_NAMES[text];
  const m = text.match(/^([a-z]{2,3})(?:[-_][a-z0-9]+)*$/);
  return m ? m[1] : null;
}

// US states (postal code and name) -> IANA zone of most of the state's population.
const STATE_ZONES: Array<[string, string, string]> = [
  ['AL', 'alabama', 'America/Chicago'],
  ['AK', 'alaska', 'America/Anchorage'],
  ['AZ', 'arizona', 'America/Phoenix'],
  ['AR', 'arkansas', 'America/Chicago'],
  ['CA', 'california', 'America/Los_Angeles'],
  ['CO', 'colorado', 'America/Denver'],
  ['CT', 'connecticut', 'America/New_York'],
  ['DE', 'delaware', 'America/New_York'],
  ['DC', 'district of columbia', 'America/New_York'],
  ['FL', 'florida', 'America/New_York'],
  ['GA', 'georgia', 'America/New_York'],
  ['HI', 'hawaii', 'Pacific/Honolulu'],
  ['ID', 'idaho', 'America/Boise'],
  ['IL', 'illinois', 'America/Chicago'],
  ['IN', 'indiana', 'America/Indiana/Indianapolis'],
  ['IA', 'iowa', 'America/Chicago'],
  ['KS', 'kansas', 'America/Chicago'],
  ['KY', 'kentucky', 'America/New_York'],
  ['LA', 'louisiana', 'America/Chicago'],
  ['ME', 'maine', 'America/New_York'],
  ['MD', 'maryland', 'America/New_York'],
  ['MA', 'massachusetts', 'America/New_York'],
  ['MI', 'michigan', 'America/Detroit'],
  ['MN', 'minnesota', 'America/Chicago'],
  ['MS', 'mississippi', 'America/Chicago'],
  ['MO', 'missouri', 'America/Chicago'],
  ['MT', 'montana', 'America/Denver'],
  ['NE', 'nebraska', 'America/Chicago'],
  ['NV', 'nevada', 'America/Los_Angeles'],
  ['NH', 'new hampshire', 'America/New_York'],
  ['NJ', 'new jersey', 'America/New_York'],
  ['NM', 'new mexico', 'America/Denver'],
  ['NY', 'new york', 'America/New_York'],
  ['NC', 'north carolina', 'America/New_York'],
  ['ND', 'north dakota', 'America/Chicago'],
  ['OH', 'ohio', 'America/New_York'],
  ['OK', 'oklahoma', 'America/Chicago'],
  ['OR', 'oregon', 'America/Los_Angeles'],
  ['PA', 'pennsylvania', 'America/New_York'],
  ['PR', 'puerto rico', 'America/Puerto_Rico'],
  ['RI', 'rhode island', 'America/New_York'],
  ['SC', 'south carolina', 'America/New_York'],
  ['SD', 'south dakota', 'America/Chicago'],
  ['TN', 'tennessee', 'America/Chicago'],
  ['TX', 'texas', 'America/Chicago'],
  ['UT', 'utah', 'America/Denver'],
  ['VT', 'vermont', 'America/New_York'],
  ['VA', 'virginia', 'America/New_York'],
  ['WA', 'washington', 'America/Los_Angeles'],
  ['WV', 'west virginia', 'America/New_York'],
  ['WI', 'wisconsin', 'America/Chicago'],
  ['WY', 'wyoming', 'America/Denver'],
];
const ZONE_BY_STATE = new Map<string, string>(STATE_ZONES.flatMap(([abbr, name, zone]) => [[abbr.toLowerCase(), zone], [name, zone]]));

/**
 * The IANA time zone of a US state, by postal abbreviation or name.
 * @param state - Address.state, e.g. `MA` or `Massachusetts`
 * @returns null when the state is unknown
 */
export function stateTimeZone(state: string | undefined): string | null {
  if (!state) return null;
  return ZONE_BY_STATE.get(state.trim().toLowerCase()) ?? null;
}

const DAYS_PER_UNIT: Record<string, number> = { h: 1 / 24, hour: 1 / 24, hours: 1 / 24, d: 1, day: 1, days: 1, wk: 7, week: 7, weeks: 7, mo: 30, month: 30, months: 30, a: 365, year: 365, years: 365 };

/**
 * A FHIR Duration in whole days (UCUM code or unit text); days when no unit is given.
 * @param d - e.g. `{ value: 30, unit: 'days', code: 'd' }`
 */
export function durationDays(d: { value: number; unit?: string; code?: string } | undefined): number | null {
  if (!d) return null;
  const unit = (d.code ?? d.unit ?? 'd').trim().toLowerCase();
  const factor = DAYS_PER_UNIT[unit];
  return factor === undefined ? null : Math.round(d.value * factor);
}

/**
 * A 7-digit Rx number derived from a resource id: the same id always gives the same candidate,
 * and `attempt` walks to the next candidate when one is already taken.
 * @param fhirId - MedicationRequest.id
 * @param attempt - 0 first, then 1, 2, ... on collision
 */
export function generatedRxNumber(fhirId: string, attempt = 0): string {
  const h = createHash('sha256').update(attempt ? `${fhirId}#${attempt}` : fhirId).digest();
  return String(1_000_000 + (h.readUInt32BE(0) % 9_000_000));
}
