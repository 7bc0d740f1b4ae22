import { DateTime } from 'luxon';
import type { Language } from '../flow/schema';

function local(at: Date, lang: Language, zone: string): DateTime {
  return DateTime.fromJSDate(at, { zone }).setLocale(lang);
}

/**
 * A time of day as people say it: "10:30 AM", "3 PM" / "10:30", "15:00".
 * @param zone - IANA time zone of the listener
 */
export function spokenTime(at: Date, lang: Language, zone: string): string {
  const t = local(at, lang, zone);
  if (lang === 'es') return t.toFormat('H:mm');
  return t.minute === 0 ? t.toFormat('h a') : t.toFormat('h:mm a');
}

/**
 * A day as people say it: "today", "tomorrow", "Tuesday, March 3" / "hoy", "mañana", "martes 3 de marzo".
 * @param now - what "today" means (the clock's now)
 */
export function spokenDay(at: Date, lang: Language, zone: string, now?: Date): string {
  const t = local(at, lang, zone);
  if (now) {
    const today = local(now, lang, zone).startOf('day');
    const days = Math.round(t.startOf('day').diff(today, 'days').days);
    if (days === 0) return lang === 'es' ? 'hoy' : 'today';
    if (days === 1) return lang === 'es' ? 'mañana' : 'tomorrow';
  }
  return lang === 'es' ? t.toFormat("cccc d 'de' LLLL") : t.toFormat('cccc, LLLL d');
}

/**
 * A date and time spoken naturally: "Tuesday, March 3 at 10:30 AM" / "martes 3 de marzo a las 10:30"
 * ("a la 1:00" for one o'clock).
 * @param now - when given, "today" and "tomorrow" replace the date
 */
export function spokenDateTime(at: Date, lang: Language, zone: string, now?: Date): string {
  const day = spokenDay(at, lang, zone, now);
  if (lang === 'es') {
    const hour = local(at, lang, zone).hour;
    return `${day} ${hour === 1 ? 'a la' : 'a las'} ${spokenTime(at, lang, zone)}`;
  }
  return `${day} at ${spokenTime(at, lang, zone)}`;
}

/**
 * An amount of money spoken naturally: "12 dollars and 50 cents" / "12 dólares con 50 centavos".
 * @param amount - in dollars (e.g. 12.5)
 */
export function spokenAmount(amount: number, lang: Language): string {
  const cents = Math.round(Math.abs(amount) * 100);
  const dollars = Math.floor(cents / 100);
  const rest = cents % 100;
  const [d1, dn, c1, cn, and] = lang === 'es' ? ['dólar', 'dólares', 'centavo', 'centavos', 'con'] : ['dollar', 'dollars', 'cent', 'cents', 'and'];
  const dPart = `${dollars} ${dollars === 1 ? d1 : dn}`;
  if (!rest) return dPart;
  const cPart = `${rest} ${rest === 1 ? c1 : cn}`;
  return dollars ? `${dPart} ${and} ${cPart}` : cPart;
}

/** Items read as one phrase: "A and B", "A, B, and C" / "A y B". */
export function spokenList(items: string[], lang: Language): string {
  return new Intl.ListFormat(lang, { style: 'long', type: 'conjunction' }).format(items);
}
