import { DateTime } from 'luxon';

/** The widest window any reminder call may use, in the patient's own time zone (TCPA: 8 AM to 9 PM). */
export const LEGAL_WINDOW = { start: '08:00', end: '21:00' } as const;

/** When a patient may be called: a daily local window, minus quiet weekdays and holidays. */
export interface CallingWindow {
  /** IANA zone of the patient, e.g. America/Chicago */
  readonly timeZone: string;
  /** "HH:mm" local, inclusive */
  readonly start: string;
  /** "HH:mm" local, exclusive */
  readonly end: string;
  /** ISO weekdays (1 = Monday ... 7 = Sunday) never called */
  readonly quietDays: readonly number[];
  /** local dates ("yyyy-MM-dd") never called, e.g. practice holidays */
  readonly holidays?: ReadonlySet<string>;
}

/** Campaign fields that narrow the legal window. */
export interface WindowRules {
  readonly windowStart: string;
  readonly windowEnd: string;
  readonly quietDays: readonly number[];
}

function minutes(hhmm: string): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm);
  if (!m) throw new Error(`not an HH:mm time: ${hhmm}`);
  return Number(m[1]) * 60 + Number(m[2]);
}

function hhmm(total: number): string {
  return `${String(Math.floor(total / 60)).padStart(2, '0')}:${String(total % 60).padStart(2, '0')}`;
}

/**
 * A campaign's window for one patient: the campaign may only narrow the legal 08:00-21:00 window,
 * never widen it.
 * @param rules - the campaign's window and quiet days
 * @param timeZone - the patient's zone
 * @param holidays - local dates never called
 */
export function windowFor(rules: WindowRules, timeZone: string, holidays?: ReadonlySet<string>): CallingWindow {
  const start = Math.max(minutes(rules.windowStart), minutes(LEGAL_WINDOW.start));
  const end = Math.min(minutes(rules.windowEnd), minutes(LEGAL_WINDOW.end));
  return { timeZone, start: hhmm(start), end: hhmm(Math.max(start, end)), quietDays: rules.quietDays, holidays };
}

function zoneOf(timeZone: string): string {
  // An unknown zone must not silently become UTC (a 3 AM call): fall back to the practice's usual zone.
  return DateTime.now().setZone(timeZone).isValid ? timeZone : 'America/New_York';
}

function openDay(w: CallingWindow, day: DateTime): boolean {
  return !w.quietDays.includes(day.weekday) && !w.holidays?.has(day.toISODate() ?? '');
}

/**
 * Whether a moment lies inside the window.
 * @param at - the moment (UTC)
 * @param w - the patient's window
 */
export function isInsideWindow(at: Date, w: CallingWindow): boolean {
  const local = DateTime.fromJSDate(at, { zone: zoneOf(w.timeZone) });
  const now = local.hour * 60 + local.minute;
  return openDay(w, local) && now >= minutes(w.start) && now < minutes(w.end);
}

/**
 * The first moment at or after `at` inside the window: `at` itself when the window is open, else the
 * next opening (a reminder outside its window waits for it).
 * @param at - the earliest moment wanted
 * @param w - the patient's window
 * @returns null when the window never opens (every weekday quiet, or an empty window)
 */
export function nextOpening(at: Date, w: CallingWindow): Date | null {
  if (minutes(w.end) <= minutes(w.start)) return null;
  if (isInsideWindow(at, w)) return at;
  const zone = zoneOf(w.timeZone);
  const local = DateTime.fromJSDate(at, { zone });
  const startMin = minutes(w.start);
  for (let i = 0; i < 31; i++) {
    const day = local.startOf('day').plus({ days: i });
    if (!openDay(w, day)) continue;
    // Built from the wall-clock time, so a DST change that day is handled by luxon.
    const opening = DateTime.fromObject({ year: day.year, month: day.month, day: day.day, hour: Math.floor(startMin / 60), minute: startMin % 60 }, { zone });
    if (opening.toMillis() > at.getTime()) return opening.toJSDate();
  }
  return null;
}

/**
 * The start of the patient's next local day (frequency limits are counted per local day).
 * @param at - the moment
 * @param timeZone - the patient's zone
 */
export function nextLocalDay(at: Date, timeZone: string): Date {
  return DateTime.fromJSDate(at, { zone: zoneOf(timeZone) }).startOf('day').plus({ days: 1 }).toJSDate();
}

/**
 * The start of the patient's local day `daysBack` days before the day of `at`.
 * @param at - the moment
 * @param timeZone - the patient's zone
 * @param daysBack - 0 for today; negative counts forward
 */
export function localDayStart(at: Date, timeZone: string, daysBack = 0): Date {
  return DateTime.fromJSDate(at, { zone: zoneOf(timeZone) }).startOf('day').minus({ days: daysBack }).toJSDate();
}
