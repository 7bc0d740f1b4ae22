import { randomBytes } from 'node:crypto';

/**
 * Makes a Twilio-shaped SID: a two-letter prefix and 32 lowercase hex digits.
 * @param prefix - the resource prefix, e.g. `CA` (call), `QU` (queue), `RE` (recording)
 */
export function makeSid(prefix: string): string {
  return prefix + randomBytes(16).toString('hex');
}

/**
 * Formats a date as RFC 2822, the way Twilio writes `Timestamp` and `date_created` (`Mon, 16 Aug 2010 03:45:01 +0000`).
 * @param d - the instant to format
 */
export function rfc2822(d: Date): string {
  return d.toUTCString().replace(/GMT$/, '+0000');
}
