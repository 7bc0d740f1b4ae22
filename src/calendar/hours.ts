import { DateTime } from 'luxon';
import type { Context } from '../context';

export interface HoursRule {
  dayOfWeek: number; // ISO 1 = Monday
  opens: string; // "08:00"
  closes: string; // "17:00"
  timeZone: string;
}

/**
 * The hours, holidays and department ids, read once per period and answered in memory: one call
 * step asks several times (a refill ~8). So a change to hours or holidays takes effect within
 * HOURS_TTL_MS (30 s), not at once; tests that change them call forgetHoursCache.
 */
interface HoursSnapshot {
  /** rules by departmentId; '' holds the practice-wide ones (departmentId null) */
  rules: Map<string, HoursRule[]>;
  /** holiday dates as UTC-midnight epoch ms */
  holidays: Set<number>;
  departments: Map<string, string>;
}

const HOURS_TTL_MS = 30_000;
const snapshots = new WeakMap<Context, { loadedAt: number; snapshot: Promise<HoursSnapshot> }>();

/** Drops the cached hours, holidays and departments of a context, so the next lookup reads them. */
export function forgetHoursCache(ctx: Context): void {
  snapshots.delete(ctx);
}

function snapshotOf(ctx: Context): Promise<HoursSnapshot> {
  const cached = snapshots.get(ctx);
  if (cached && performance.now() - cached.loadedAt < HOURS_TTL_MS) return cached.snapshot;
  // Concurrent requests share one load; a failed load is not kept, so the next lookup retries.
  const entry = { loadedAt: performance.now(), snapshot: loadSnapshot(ctx) };
  snapshots.set(ctx, entry);
  entry.snapshot.catch(() => {
    if (snapshots.get(ctx) === entry) snapshots.delete(ctx);
  });
  return entry.snapshot;
}

async function loadSnapshot(ctx: Context): Promise<HoursSnapshot> {
  const [hours, holidays, departments] = await Promise.all([
    ctx.db.businessHours.findMany(),
    ctx.db.holiday.findMany({ select: { date: true } }),
    ctx.db.department.findMany({ select: { id: true, code: true } }),
  ]);
  const rules = new Map<string, HoursRule[]>();
  for (const h of hours) {
    const key = h.departmentId ?? '';
    const list = rules.get(key) ?? [];
    list.push(h);
    rules.set(key, list);
  }
  return {
    rules,
    holidays: new Set(holidays.map((h) => h.date.getTime())),
    departments: new Map(departments.map((d) => [d.code, d.id])),
  };
}

/**
 * The hours rules that apply to a department (its own, else the practice-wide ones), as a copy.
 * @param departmentId - a department whose own hours apply, if it has any
 */
export async function rulesFor(ctx: Context, departmentId?: string | null): Promise<HoursRule[]> {
  const { rules } = await snapshotOf(ctx);
  // A copy: callers sort it.
  return [...((departmentId && rules.get(departmentId)) || rules.get('') || [])];
}

/**
 * A department's id by its code (e.g. `pharmacy`).
 * @returns undefined when there is no such department
 */
export async function departmentIdByCode(ctx: Context, code: string): Promise<string | undefined> {
  return (await snapshotOf(ctx)).departments.get(code);
}

/**
 * Whether a local calendar day is a holiday (closed all day).
 * @param local - any moment of that day, in the practice's zone
 */
export async function isHoliday(ctx: Context, local: DateTime): Promise<boolean> {
  return (await snapshotOf(ctx)).holidays.has(Date.UTC(local.year, local.month - 1, local.day));
}

/** The zone the hours rules are written in (the practice's zone when there are none). */
export function zoneOf(ctx: Context, rules: HoursRule[]): string {
  return rules[0]?.timeZone ?? ctx.config.PRACTICE_TIME_ZONE;
}

/** Minutes since midnight of a wall-clock time ("08:30" -> 510). */
export function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}

/**
 * Whether the practice (or a department with hours of its own) is open at a moment, holidays closed.
 * @param at - the moment (UTC)
 * @param departmentId - a department whose own hours apply, if it has any
 */
export async function isOpen(ctx: Context, at: Date, departmentId?: string | null): Promise<boolean> {
  const rules = await rulesFor(ctx, departmentId);
  const tz = zoneOf(ctx, rules);
  const local = DateTime.fromJSDate(at, { zone: tz });
  if (await isHoliday(ctx, local)) return false;
  return withinHours(rules, local);
}

/** Whether a local moment falls inside one of the rules, by wall-clock minutes (holidays aside). */
function withinHours(rules: HoursRule[], local: DateTime): boolean {
  const now = local.hour * 60 + local.minute;
  return rules.some((r) => r.dayOfWeek === local.weekday && now >= minutes(r.opens) && now < minutes(r.closes));
}

/**
 * The first moment at or after `from` when the practice (or a department) is open: `from` itself
 * when open, else the next opening time, skipping closed days and holidays (two weeks at most).
 * @param from - the moment (UTC)
 * @param departmentId - a department whose own hours apply, if it has any
 * @returns null when nothing opens within two weeks (no hours configured)
 */
export async function nextOpening(ctx: Context, from: Date, departmentId?: string | null): Promise<Date | null> {
  const rules = await rulesFor(ctx, departmentId);
  if (!rules.length) return null;
  const tz = rules[0]!.timeZone;
  const start = DateTime.fromJSDate(from, { zone: tz });
  // Open now (the usual case): `from` itself, without zone arithmetic.
  if (withinHours(rules, start) && !(await isHoliday(ctx, start))) return from;
  for (let i = 0; i < 14; i++) {
    const day = start.startOf('day').plus({ days: i });
    if (await isHoliday(ctx, day)) continue;
    const todays = rules.filter((r) => r.dayOfWeek === day.weekday).sort((a, b) => minutes(a.opens) - minutes(b.opens));
    for (const r of todays) {
      const opens = day.plus({ minutes: minutes(r.opens) });
      const closes = day.plus({ minutes: minutes(r.closes) });
      if (start >= closes) continue;
      return (start > opens ? start : opens).toJSDate();
    }
  }
  return null;
}
