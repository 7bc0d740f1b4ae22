import { DateTime } from 'luxon';
import { verifyPassword } from '../../src/agents/passwords';
import type { Db } from '../../src/db/client';
import { DEMO_LOGINS, DEMO_PASSWORD, seedDemo, type SeedReport } from '../../src/db/seed';
import { createLogger } from '../../src/log';
import { createTestDb, type TestDb } from '../helpers/db';

// A Sunday a few days before Christmas: the 14-day window holds Christmas Day and New Year's Day.
const NOW = new Date('2026-12-20T15:00:00Z');
const NY = 'America/New_York';
const clock = { now: () => NOW };
const log = createLogger('error');

let t: TestDb;
let db: Db;
let first: SeedReport;
let second: SeedReport;
let before: unknown;

async function snapshot(): Promise<unknown> {
  return {
    departments: await db.department.findMany({ orderBy: { code: 'asc' } }),
    queues: await db.queue.findMany({ orderBy: { name: 'asc' } }),
    agents: await db.agent.findMany({ orderBy: { email: 'asc' } }),
    hours: await db.businessHours.findMany({ orderBy: { id: 'asc' } }),
    holidays: await db.holiday.findMany({ orderBy: { date: 'asc' } }),
    shifts: await db.onCallShift.findMany({ orderBy: { id: 'asc' } }),
    patients: await db.patient.findMany({ orderBy: { fhirId: 'asc' }, include: { phones: { orderBy: { e164: 'asc' } } } }),
    practitioners: await db.practitioner.findMany({ orderBy: { fhirId: 'asc' } }),
    prescriptions: await db.prescription.findMany({ orderBy: { fhirId: 'asc' } }),
    schedules: await db.schedule.findMany({ orderBy: { fhirId: 'asc' } }),
    slots: await db.slot.findMany({ orderBy: { fhirId: 'asc' } }),
    appointments: await db.appointment.findMany({ orderBy: { fhirId: 'asc' } }),
  };
}

beforeAll(async () => {
  t = await createTestDb();
  db = t.db;
  first = await seedDemo({ db, log, clock });
  before = await snapshot();
  second = await seedDemo({ db, log, clock });
});

afterAll(async () => {
  await t.drop();
});

it('writes everything the first time and nothing the second', async () => {
  expect(first.fhirChanges).toBeGreaterThan(100);
  expect(first).toMatchObject({ departments: 2, queues: 5, agents: 5, businessHours: 6 });
  expect(second).toEqual({ fhirChanges: 0, departments: 0, queues: 0, agents: 0, businessHours: 0, holidays: 0, onCallShifts: 0 });
  expect(await snapshot()).toEqual(before);
});

it('creates every demo login with a bcrypt hash that verifies, roles and 1-5 skills', async () => {
  const agents = await db.agent.findMany({ orderBy: { email: 'asc' } });
  expect(agents.map((a) => a.email)).toEqual(DEMO_LOGINS.map((l) => l.email).sort());
  for (const a of agents) {
    expect(a.passwordHash).toMatch(/^\$2[aby]\$\d\d\$/);
    expect(await verifyPassword(DEMO_PASSWORD, a.passwordHash)).toBe(true);
    expect(await verifyPassword('wrong-password', a.passwordHash)).toBe(false);
    for (const level of Object.values(a.skills as Record<string, number>)) expect(level).toBeGreaterThanOrEqual(1), expect(level).toBeLessThanOrEqual(5);
  }
  const byEmail = new Map(agents.map((a) => [a.email, a]));
  expect(byEmail.get('maria@careline.test')!.skills).toMatchObject({ es: 5, en: 4, pharmacist: 5 });
  expect(byEmail.get('olivia@careline.test')!.skills).toMatchObject({ nurse: 5, clinical: 5 });
  expect(byEmail.get('sam@careline.test')!.roles).toContain('supervisor');
  expect(byEmail.get('james@careline.test')!.roles).toEqual(['agent']);
});

it('creates the departments and queues', async () => {
  expect(await db.department.findMany({ orderBy: { code: 'asc' }, select: { code: true, name: true, nameEs: true, kind: true } })).toEqual([
    { code: 'pharmacy', name: 'Pharmacy', nameEs: 'Farmacia', kind: 'pharmacy' },
    { code: 'primary-care', name: 'Primary Care', nameEs: 'Atención primaria', kind: 'clinic' },
  ]);
  const queues = await db.queue.findMany({ orderBy: { name: 'asc' } });
  expect(queues.map((q) => [q.name, q.requiredSkills])).toEqual([
    ['billing', ['billing']],
    ['clinical', ['clinical', 'nurse']],
    ['general', ['general']],
    ['pharmacy', ['pharmacy']],
    ['scheduling', ['scheduling']],
  ]);
  for (const q of queues) expect(q.displayName.length).toBeGreaterThan(0);
});

it('imports 8 demo patients: English, Spanish, Vietnamese, one deceased, three time zones, a shared household phone', async () => {
  const patients = await db.patient.findMany({ include: { phones: true } });
  expect(patients).toHaveLength(8);
  const langs = patients.map((p) => p.preferredLanguage);
  expect(langs.filter((l) => l === 'en').length).toBeGreaterThanOrEqual(2);
  expect(langs.filter((l) => l === 'es').length).toBeGreaterThanOrEqual(2);
  expect(langs).toContain('vi');
  expect(patients.filter((p) => p.deceased).length).toBe(1);
  expect(new Set(patients.map((p) => p.timeZone))).toEqual(new Set(['America/New_York', 'America/Chicago', 'America/Los_Angeles']));
  const phones = patients.flatMap((p) => p.phones);
  expect(phones.every((ph) => ph.dialable && /^\+1\d{10}$/.test(ph.e164))).toBe(true);
  const perNumber = new Map<string, number>();
  for (const ph of phones) perNumber.set(ph.e164, (perNumber.get(ph.e164) ?? 0) + 1);
  const shared = [...perNumber.entries()].filter(([, n]) => n > 1);
  expect(shared).toHaveLength(1);
  expect(await db.patientPhone.count({ where: { e164: shared[0][0] } })).toBe(2);
});

it('has prescriptions with refills left, one with none, some due soon, prescribers set', async () => {
  const rx = await db.prescription.findMany({ include: { patient: true } });
  expect(rx.filter((r) => r.status === 'active' && (r.refillsRemaining ?? 0) > 0).length).toBeGreaterThanOrEqual(5);
  expect(rx.filter((r) => r.status === 'active' && r.refillsRemaining === 0)).toHaveLength(1);
  const inAWeek = DateTime.fromJSDate(NOW).plus({ days: 7 }).toJSDate();
  const dueSoon = rx.filter((r) => r.status === 'active' && r.nextDueAt && r.nextDueAt > NOW && r.nextDueAt <= inAWeek);
  expect(dueSoon.length).toBeGreaterThanOrEqual(1);
  for (const r of dueSoon) expect(r.nextDueAt!.getTime() - r.lastFilledAt!.getTime()).toBe(r.daysSupply! * 86_400_000);
  expect(rx.every((r) => r.prescriberId !== null)).toBe(true);
  expect(rx.every((r) => /^\d{7}$/.test(r.rxNumber))).toBe(true);
});

it('has practitioners including a nurse and a pharmacist, each in a department', async () => {
  const roles = await db.practitioner.findMany({ select: { role: true, departmentId: true, npi: true } });
  expect(new Set(roles.map((r) => r.role))).toEqual(new Set(['physician', 'nurse', 'pharmacist']));
  expect(roles.every((r) => r.departmentId && r.npi)).toBe(true);
});

it('offers weekday slots 9:00-16:30 New York time for 14 days in both departments, none on holidays', async () => {
  const slots = await db.slot.findMany({ include: { schedule: { include: { department: true } } } });
  const local = slots.map((s) => ({ t: DateTime.fromJSDate(s.start, { zone: NY }), dept: s.schedule.department?.code, minutes: (s.end.getTime() - s.start.getTime()) / 60_000 }));
  const days = new Set(local.map((s) => s.t.toISODate()));
  // Dec 21-Jan 3: ten weekdays, less Christmas Day and New Year's Day.
  expect([...days].sort()).toEqual(['2026-12-21', '2026-12-22', '2026-12-23', '2026-12-24', '2026-12-28', '2026-12-29', '2026-12-30', '2026-12-31']);
  for (const dept of ['primary-care', 'pharmacy']) expect(local.filter((s) => s.dept === dept)).toHaveLength(8 * 16);
  for (const s of local) {
    expect(s.minutes).toBe(30);
    expect(s.t.weekday).toBeLessThanOrEqual(5);
    expect(s.t.hour * 60 + s.t.minute).toBeGreaterThanOrEqual(9 * 60);
    expect(s.t.hour * 60 + s.t.minute).toBeLessThanOrEqual(16 * 60 + 30);
  }
  expect(slots.filter((s) => s.status === 'free').length).toBe(2 * 8 * 16 - 2);
});

it('books two appointments on busy slots of their department', async () => {
  const appts = await db.appointment.findMany({ include: { slot: { include: { schedule: true } }, patient: true } });
  expect(appts).toHaveLength(2);
  for (const a of appts) {
    expect(a.status).toBe('booked');
    expect(a.slot?.status).toBe('busy');
    expect(a.start).toEqual(a.slot!.start);
    expect(a.departmentId).toBe(a.slot!.schedule.departmentId);
    expect(a.start > NOW).toBe(true);
  }
});

it('sets practice hours and a year of federal holidays', async () => {
  const hours = await db.businessHours.findMany({ orderBy: { dayOfWeek: 'asc' } });
  expect(hours.map((h) => [h.dayOfWeek, h.opens, h.closes, h.timeZone, h.departmentId])).toEqual([
    [1, '08:00', '18:00', NY, null],
    [2, '08:00', '18:00', NY, null],
    [3, '08:00', '18:00', NY, null],
    [4, '08:00', '18:00', NY, null],
    [5, '08:00', '18:00', NY, null],
    [6, '09:00', '13:00', NY, null],
  ]);
  const holidays = await db.holiday.findMany({ orderBy: { date: 'asc' } });
  expect(holidays).toHaveLength(11);
  expect(holidays[0]).toMatchObject({ name: 'Christmas Day', date: new Date('2026-12-25T00:00:00Z') });
  expect(holidays.map((h) => h.date.toISOString().slice(0, 10))).toEqual(
    expect.arrayContaining(['2027-01-01', '2027-01-18', '2027-05-31', '2027-06-18', '2027-07-05', '2027-11-25']),
  );
});

it('covers every closed hour of the next 14 days with a nurse and a pharmacist on call, and no open hour', async () => {
  const shifts = await db.onCallShift.findMany({ include: { practitioner: true } });
  for (const s of shifts) {
    expect(s.practitioner.role).toBe(s.role);
    expect(s.phone).toMatch(/^\+1\d{10}$/);
  }
  const holidays = new Set(['2026-12-25', '2027-01-01']);
  const open = (t: DateTime) => {
    if (holidays.has(t.toISODate()!)) return false;
    const m = t.hour * 60 + t.minute;
    if (t.weekday <= 5) return m >= 480 && m < 1080;
    return t.weekday === 6 && m >= 540 && m < 780;
  };
  const start = DateTime.fromJSDate(NOW, { zone: NY }).startOf('day');
  for (let t = start; t < start.plus({ days: 14 }); t = t.plus({ minutes: 30 })) {
    for (const role of ['nurse', 'pharmacist']) {
      const covering = shifts.filter((s) => s.role === role && s.start <= t.toJSDate() && s.end > t.toJSDate());
      expect([t.toISO(), role, covering.length]).toEqual([t.toISO(), role, open(t) ? 0 : 1]);
    }
  }
});
