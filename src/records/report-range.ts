import { DateTime, IANAZone } from 'luxon';

/** A report's period: [from, to) in UTC, and the zone its days and hours are read in. */
export interface ReportRange {
  from: Date;
  to: Date;
  tz: string;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const MAX_DAYS = 366;

/** A bad range or zone; the API answers 400 with the message. */
export class RangeError400 extends Error {}

function instant(value: string, tz: string, endOfDay: boolean): DateTime {
  if (DATE_ONLY.test(value)) {
    const day = DateTime.fromISO(value, { zone: tz });
    if (!day.isValid) throw new RangeError400(`not a date: ${value}`);
    return endOfDay ? day.plus({ days: 1 }) : day;
  }
  const t = DateTime.fromISO(value, { zone: tz, setZone: false });
  if (!t.isValid) throw new RangeError400(`not a date or ISO time: ${value}`);
  return t;
}

/**
 * Reads `from` / `to` / `tz`. Dates (YYYY-MM-DD) are whole local days, `to` included; ISO times are
 * instants, `to` excluded. Both default to today in `tz` (default: the practice's zone).
 * @param q - the query: from, to, tz (strings or absent)
 * @param defaultTz - PRACTICE_TIME_ZONE
 * @param now - the clock's now
 */
export function parseReportRange(q: { from?: string; to?: string; tz?: string }, defaultTz: string, now: Date): ReportRange {
  const tz = q.tz || defaultTz;
  if (!IANAZone.isValidZone(tz)) throw new RangeError400(`unknown time zone: ${tz}`);
  const today = DateTime.fromJSDate(now, { zone: tz }).toISODate() as string;
  const from = instant(q.from || today, tz, false);
  const to = instant(q.to || q.from || today, tz, true);
  if (to <= from) throw new RangeError400('to must be after from');
  if (to.diff(from, 'days').days > MAX_DAYS) throw new RangeError400(`a report covers at most ${MAX_DAYS} days`);
  return { from: from.toJSDate(), to: to.toJSDate(), tz };
}
