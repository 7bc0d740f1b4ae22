import { parsePhoneNumberFromString } from 'libphonenumber-js';

/**
 * A caller ID as E.164 (US numbers may arrive without +1), or null for anonymous / unparseable IDs.
 * @param raw - Twilio's From
 */
export function callerE164(raw: string | undefined): string | null {
  if (!raw || /anonymous|restricted|unknown/i.test(raw)) return null;
  const p = parsePhoneNumberFromString(raw, 'US');
  return p?.isPossible() ? p.number : null;
}
