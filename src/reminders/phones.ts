import { isValidPhoneNumber } from 'libphonenumber-js/max';

/** The fields of a PatientPhone that decide whether it may be dialed. */
export interface PhoneCandidate {
  readonly e164: string;
  readonly use: string;
  readonly dialable: boolean;
}

// A reminder goes where the patient is most likely to pick up.
const PREFERENCE = ['mobile', 'home', 'work'];

/**
 * Whether a number may be dialed at all: flagged dialable and valid for its country per
 * libphonenumber-js (full metadata), so fictional and malformed numbers are never called.
 * @param phone - the stored phone
 */
export function isDialable(phone: PhoneCandidate): boolean {
  return phone.dialable && isValidPhoneNumber(phone.e164);
}

/**
 * The number a reminder should call: the preferred dialable one that has not opted out.
 * @param phones - the patient's phones
 * @param optedOut - numbers (E.164) that asked not to be called
 * @returns the E.164 number, or a reason there is none
 */
export function pickPhone(phones: readonly PhoneCandidate[], optedOut: ReadonlySet<string>): { phone: string } | { skip: 'no_dialable_phone' | 'opted_out' } {
  const dialable = phones.filter(isDialable);
  if (!dialable.length) return { skip: 'no_dialable_phone' };
  const allowed = dialable.filter((p) => !optedOut.has(p.e164));
  if (!allowed.length) return { skip: 'opted_out' };
  const rank = (p: PhoneCandidate) => {
    const i = PREFERENCE.indexOf(p.use);
    return i < 0 ? PREFERENCE.length : i;
  };
  const best = [...allowed].sort((a, b) => rank(a) - rank(b))[0]!;
  return { phone: best.e164 };
}
