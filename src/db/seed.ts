import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DateTime } from 'luxon';
import { hashPassword, verifyPassword } from '../agents/passwords';
import { loadConfig } from '../config';
import type { Clock } from '../context';
import { logger, type Logger } from '../log';
import { createDb, type Db } from './client';
import { importFhirBundle } from './fhir/import';
import { closedIntervals, holidaysFor365Days } from './seed/calendar';
import { DEMO_DEPARTMENTS, DEMO_HOURS, DEMO_LOGINS, DEMO_ON_CALL, DEMO_PASSWORD, DEMO_QUEUES, DEMO_TIME_ZONE } from './seed/demo-data';
import { dynamicDemoEntries } from './seed/dynamic-bundle';
import { PROJECT_ROOT } from '../paths';

export { DEMO_LOGINS, DEMO_PASSWORD } from './seed/demo-data';

/** The demo FHIR bundle (patients, practitioners, prescriptions, schedules). */
export const DEMO_BUNDLE_FILE = path.join(PROJECT_ROOT, 'prisma/demo/demo-bundle.json');
const ON_CALL_DAYS = 14;
const SLOT_DAYS = 14;

export interface SeedContext {
  db: Db;
  log: Logger;
  /** today's date comes from here (tests pass a fixed clock) */
  clock?: Clock;
}

/** Counts of what one seed run wrote: all zero on a second run the same day. */
export interface SeedReport {
  fhirChanges: number;
  departments: number;
  queues: number;
  agents: number;
  businessHours: number;
  holidays: number;
  onCallShifts: number;
}

function sameJson(a: unknown, b: unknown): boolean {
  const norm = (v: unknown): string => JSON.stringify(v, (_k, x) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([p], [q]) => p.localeCompare(q))) : x));
  return norm(a) === norm(b);
}

async function seedDepartments(db: Db): Promise<number> {
  let n = 0;
  for (const d of DEMO_DEPARTMENTS) {
    const row = await db.department.findUnique({ where: { code: d.code } });
    if (row && row.name === d.name && row.nameEs === d.nameEs && row.kind === d.kind && row.phone === d.phone) continue;
    await db.department.upsert({ where: { code: d.code }, create: { ...d }, update: { ...d } });
    n++;
  }
  return n;
}

async function seedQueues(db: Db): Promise<number> {
  let n = 0;
  for (const q of DEMO_QUEUES) {
    const data = { ...q, requiredSkills: [...q.requiredSkills] };
    const row = await db.queue.findUnique({ where: { name: q.name } });
    if (row && row.displayName === data.displayName && row.priority === data.priority && sameJson(row.requiredSkills, data.requiredSkills)) continue;
    await db.queue.upsert({ where: { name: q.name }, create: data, update: data });
    n++;
  }
  return n;
}

async function seedAgents(db: Db): Promise<number> {
  let n = 0;
  for (const a of DEMO_LOGINS) {
    const row = await db.agent.findUnique({ where: { email: a.email } });
    // bcrypt salts every hash: keep a stored hash that still matches, so a re-run writes nothing.
    const passwordOk = row ? await verifyPassword(DEMO_PASSWORD, row.passwordHash) : false;
    if (row && passwordOk && row.name === a.name && row.active && sameJson(row.roles, a.roles) && sameJson(row.skills, a.skills)) continue;
    const data = { name: a.name, roles: [...a.roles], skills: a.skills, active: true, ...(passwordOk ? {} : { passwordHash: await hashPassword(DEMO_PASSWORD) }) };
    if (row) await db.agent.update({ where: { id: row.id }, data });
    else await db.agent.create({ data: { email: a.email, passwordHash: await hashPassword(DEMO_PASSWORD), ...data } });
    n++;
  }
  return n;
}

async function seedBusinessHours(db: Db): Promise<number> {
  const rows = await db.businessHours.findMany({ where: { departmentId: null } });
  const key = (r: { dayOfWeek: number; opens: string; closes: string; timeZone: string }) => `${r.dayOfWeek} ${r.opens}-${r.closes} ${r.timeZone}`;
  const want = DEMO_HOURS.map((h) => ({ ...h, timeZone: DEMO_TIME_ZONE }));
  if (rows.map(key).sort().join('|') === want.map(key).sort().join('|')) return 0;
  await db.$transaction([db.businessHours.deleteMany({ where: { departmentId: null } }), db.businessHours.createMany({ data: want })]);
  return want.length;
}

async function seedHolidays(db: Db, today: string): Promise<{ count: number; dates: Set<string> }> {
  const holidays = holidaysFor365Days(today);
  const existing = await db.holiday.findMany({ where: { date: { in: holidays.map((h) => new Date(`${h.date}T00:00:00Z`)) } } });
  const have = new Map(existing.map((h) => [h.date.toISOString().slice(0, 10), h.name]));
  let n = 0;
  for (const h of holidays) {
    if (have.get(h.date) === h.name) continue;
    const date = new Date(`${h.date}T00:00:00Z`);
    await db.holiday.upsert({ where: { date }, create: { date, name: h.name }, update: { name: h.name } });
    n++;
  }
  const all = await db.holiday.findMany({ select: { date: true } });
  return { count: n, dates: new Set(all.map((h) => h.date.toISOString().slice(0, 10))) };
}

/** Nights, weekends and holidays of the next ON_CALL_DAYS: one nurse and one pharmacist on call. */
async function seedOnCall(db: Db, from: Date, holidays: Set<string>): Promise<number> {
  const stretches = closedIntervals([...DEMO_HOURS], holidays, DEMO_TIME_ZONE, from, ON_CALL_DAYS);
  let n = 0;
  for (const oc of DEMO_ON_CALL) {
    const practitioner = await db.practitioner.findUniqueOrThrow({ where: { fhirId: oc.practitionerFhirId }, select: { id: true } });
    const horizon = { practitionerId: practitioner.id, role: oc.role, end: { gt: from } };
    const existing = await db.onCallShift.findMany({ where: horizon });
    const key = (s: { start: Date; end: Date; phone: string }) => `${s.start.toISOString()} ${s.end.toISOString()} ${s.phone}`;
    const want = stretches.map((s) => ({ ...s, practitionerId: practitioner.id, role: oc.role, phone: oc.phone }));
    const wantKeys = new Set(want.map(key));
    const haveKeys = new Set(existing.map(key));
    // Shifts of an earlier seed that no longer fit the hours (or overlap today's) are replaced.
    const stale = existing.filter((s) => !wantKeys.has(key(s)));
    const missing = want.filter((s) => !haveKeys.has(key(s)));
    if (stale.length) await db.onCallShift.deleteMany({ where: { id: { in: stale.map((s) => s.id) } } });
    if (missing.length) await db.onCallShift.createMany({ data: missing });
    n += stale.length + missing.length;
  }
  return n;
}

/**
 * Loads the demo practice, idempotently (a second run the same day writes nothing): departments,
 * queues, agents (DEMO_LOGINS, password DEMO_PASSWORD), business hours, a year of federal holidays,
 * the demo FHIR bundle (patients, practitioners, prescriptions, schedules) with 14 days of slots and
 * a few booked appointments through the FHIR importer, and 14 days of after-hours on-call shifts.
 * @param ctx - database and logger; `clock` fixes "today" (defaults to the system clock)
 */
export async function seedDemo(ctx: SeedContext): Promise<SeedReport> {
  const now = ctx.clock?.now() ?? new Date();
  const todayStart = DateTime.fromJSDate(now, { zone: DEMO_TIME_ZONE }).startOf('day');
  const today = todayStart.toISODate() as string;

  // Departments first: the bundle's Locations and PractitionerRoles point at them by code.
  const departments = await seedDepartments(ctx.db);
  const queues = await seedQueues(ctx.db);
  const agents = await seedAgents(ctx.db);
  const businessHours = await seedBusinessHours(ctx.db);
  const holidays = await seedHolidays(ctx.db, today);

  const bundle = JSON.parse(readFileSync(DEMO_BUNDLE_FILE, 'utf8')) as { entry: unknown[] };
  bundle.entry.push(...dynamicDemoEntries(today, DEMO_TIME_ZONE, holidays.dates, SLOT_DAYS));
  const fhir = await importFhirBundle(ctx.db, bundle, { defaultTimeZone: DEMO_TIME_ZONE });

  const onCallShifts = await seedOnCall(ctx.db, todayStart.toJSDate(), holidays.dates);
  const report: SeedReport = { fhirChanges: fhir.changes, departments, queues, agents, businessHours, holidays: holidays.count, onCallShifts };
  ctx.log.info('demo data seeded', { ...report, logins: DEMO_LOGINS.length });
  return report;
}

async function main(): Promise<number> {
  const config = loadConfig();
  if (!config.DATABASE_URL) {
    console.error('DATABASE_URL is not set: set it to the PostgreSQL database to seed, or use `npm run dev`, which starts an embedded database and seeds demo data automatically.');
    return 2;
  }
  const db = createDb(config.DATABASE_URL, 2);
  try {
    const report = await seedDemo({ db, log: logger });
    const total = Object.values(report).reduce((a, b) => a + b, 0);
    console.log(total ? `demo data seeded (${JSON.stringify(report)})` : 'demo data already up to date: nothing changed');
    console.log(`logins (password "${DEMO_PASSWORD}"): ${DEMO_LOGINS.map((l) => l.email).join(', ')}`);
    return 0;
  } catch (err) {
    console.error(`seed failed: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  } finally {
    await db.$disconnect();
  }
}

if (require.main === module) void main().then((code) => process.exit(code));
