import { DateTime } from 'luxon';

// Calendar arithmetic for the demo seed: federal holidays, opening hours and what lies outside them.

export interface HoursRule {
  dayOfWeek: number; // ISO: 1 = Monday
  opens: string; // "08:00"
  closes: string;
}

export interface Holiday {
  /** calendar date, YYYY-MM-DD (the observed day the practice is closed) */
  date: string;
  name: string;
}

function nthWeekday(year: number, month: number, weekday: number, n: number): DateTime {
  const first = DateTime.utc(year, month, 1);
  return first.plus({ days: ((weekday - first.weekday + 7) % 7) + (n - 1) * 7 });
}

function lastWeekday(year: number, month: number, weekday: number): DateTime {
  const last = DateTime.utc(year, month, 1).endOf('month').startOf('day');
  return last.minus({ days: (last.weekday - weekday + 7) % 7 });
}

/** A fixed-date holiday moves to Friday when on a Saturday and to Monday when on a Sunday (5 U.S.C. 6103). */
function observed(d: DateTime): { date: DateTime; moved: boolean } {
  if (d.weekday === 6) return { date: d.minus({ days: 1 }), moved: true };
  if (d.weekday === 7) return { date: d.plus({ days: 1 }), moved: true };
  return { date: d, moved: false };
}

/**
 * The eleven U.S. federal holidays of a year, on their observed dates.
 * @param year - calendar year
 */
export function federalHolidays(year: number): Holiday[] {
  const fixed: Array<[number, number, string]> = [
    [1, 1, "New Year's Day"],
    [6, 19, 'Juneteenth National Independence Day'],
    [7, 4, 'Independence Day'],
    [11, 11, 'Veterans Day'],
    [12, 25, 'Christmas Day'],
  ];
  const out: Array<{ date: DateTime; name: string }> = fixed.map(([m, d, name]) => {
    const o = observed(DateTime.utc(year, m, d));
    return { date: o.date, name: o.moved ? `${name} (observed)` : name };
  });
  out.push(
    { date: nthWeekday(year, 1, 1, 3), name: 'Birthday of Martin Luther King, Jr.' },
    { date: nthWeekday(year, 2, 1, 3), name: "Washington's Birthday" },
    { date: lastWeekday(year, 5, 1), name: 'Memorial Day' },
    { date: nthWeekday(year, 9, 1, 1), name: 'Labor Day' },
    { date: nthWeekday(year, 10, 1, 2), name: 'Columbus Day' },
    { date: nthWeekday(year, 11, 4, 4), name: 'Thanksgiving Day' },
  );
  return out.map((h) => ({ date: h.date.toISODate() as string, name: h.name })).sort((a, b) => a.date.localeCompare(b.date));
}

/**
 * Federal holidays from a day (inclusive) for one year.
 * @param from - first day, YYYY-MM-DD
 */
export function holidaysFor365Days(from: string): Holiday[] {
  const start = DateTime.fromISO(from, { zone: 'utc' });
  const end = start.plus({ years: 1 }).toISODate() as string;
  return [start.year - 1, start.year, start.year + 1]
    .flatMap(federalHolidays)
    .filter((h) => h.date >= from && h.date < end);
}

function at(day: DateTime, hhmm: string): DateTime {
  const [h, m] = hhmm.split(':').map(Number);
  return day.set({ hour: h, minute: m, second: 0, millisecond: 0 });
}

/**
 * The closed stretches (nights, weekends, holidays) that overlap a window, each whole (not cut at
 * the window's edges), so the same stretch comes out the same from any window that touches it.
 * @param rules - weekly opening hours
 * @param holidays - closed days, YYYY-MM-DD
 * @param zone - IANA zone of the rules
 * @param from - window start
 * @param days - window length in days
 */
export function closedIntervals(rules: HoursRule[], holidays: Set<string>, zone: string, from: Date, days: number): Array<{ start: Date; end: Date }> {
  const windowStart = DateTime.fromJSDate(from, { zone });
  const windowEnd = windowStart.plus({ days });
  // Look a week either side so a stretch crossing the window's edges is found whole.
  const first = windowStart.startOf('day').minus({ days: 7 });
  const open: Array<[DateTime, DateTime]> = [];
  for (let d = first; d < windowEnd.plus({ days: 7 }); d = d.plus({ days: 1 })) {
    if (holidays.has(d.toISODate() as string)) continue;
    for (const r of rules.filter((x) => x.dayOfWeek === d.weekday)) open.push([at(d, r.opens), at(d, r.closes)]);
  }
  open.sort((a, b) => a[0].toMillis() - b[0].toMillis());
  const closed: Array<{ start: Date; end: Date }> = [];
  for (let i = 0; i + 1 < open.length; i++) {
    const start = open[i][1];
    const end = open[i + 1][0];
    if (end > start && end > windowStart && start < windowEnd) closed.push({ start: start.toJSDate(), end: end.toJSDate() });
  }
  return closed;
}

/**
 * Appointment slot start times: weekdays (not holidays), every `stepMinutes` from `first` to `last` inclusive.
 * @param zone - IANA zone the times are in
 * @param fromDay - first calendar day, YYYY-MM-DD
 * @param days - number of calendar days
 */
export function weekdaySlotStarts(zone: string, fromDay: string, days: number, holidays: Set<string>, first = '09:00', last = '16:30', stepMinutes = 30): DateTime[] {
  const out: DateTime[] = [];
  const start = DateTime.fromISO(fromDay, { zone });
  for (let i = 0; i < days; i++) {
    const d = start.plus({ days: i });
    if (d.weekday > 5 || holidays.has(d.toISODate() as string)) continue;
    for (let t = at(d, first); t <= at(d, last); t = t.plus({ minutes: stepMinutes })) out.push(t);
  }
  return out;
}
