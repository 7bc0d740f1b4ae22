import type { Clock } from '../../src/context';
import type { Db } from '../../src/db/client';
import { TwilioSim, type SimCall } from '../../src/sim';
import { recordsWritten, startTestApp, TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, type TestApp } from '../helpers/app';

// Shared set-up of the IVR end-to-end tests: a careline app with a settable clock, the local Twilio
// pointed at it, and a small practice of its own (no dependence on the demo seed).

/** Tuesday 3 March 2026, 10:00 in New York: the practice is open. */
export const OPEN_AT = new Date('2026-03-03T15:00:00Z');
/** Tuesday 3 March 2026, 19:30 in New York: closed. */
export const CLOSED_AT = new Date('2026-03-04T00:30:00Z');
export const CARELINE_NUMBER = '+15550100000';

export interface Practice {
  ana: { id: string; phone: string; dob: string; rxRefill: string; rxEmpty: string };
  rosa: { id: string; phone: string; dob: string; zip: string };
  /** two patients (a family) sharing one phone */
  shared: { phone: string; ids: string[]; dob: string; zip: string };
  ghost: { phone: string; dob: string };
  onCallNurse: string;
}

export interface Ivr {
  app: TestApp;
  sim: TwilioSim;
  clock: { at: Date } & Clock;
  practice: Practice;
  db: Db;
  call(from: string): Promise<SimCall>;
  close(): Promise<void>;
}

/** A settable clock. */
export function fakeClock(at: Date): { at: Date } & Clock {
  const c = { at, now: () => new Date(c.at.getTime()) };
  return c;
}

/**
 * Starts the app with a fake clock, the sim, and the practice fixtures.
 * @param at - the app's time (the sim keeps its own virtual time for durations)
 */
export async function startIvr(at: Date = OPEN_AT): Promise<Ivr> {
  const clock = fakeClock(at);
  const app = await startTestApp({ clock });
  const sim = new TwilioSim({ baseUrl: app.baseUrl, accountSid: TEST_ACCOUNT_SID, authToken: TEST_AUTH_TOKEN });
  const practice = await createPractice(app.ctx.db, at);
  return {
    app,
    sim,
    clock,
    practice,
    db: app.ctx.db,
    call: (from: string) => sim.inboundCall({ from, to: CARELINE_NUMBER }),
    async close() {
      await sim.close();
      await app.close();
    },
  };
}

/**
 * A small practice: Mon-Fri 8-17 New York, a clinic with two departments and open slots, a
 * pharmacy, patients (English and Spanish speakers, one deceased, a family sharing a phone),
 * prescriptions with and without refills, an on-call nurse.
 */
export async function createPractice(db: Db, now: Date): Promise<Practice> {
  for (let d = 1; d <= 5; d++) await db.businessHours.create({ data: { dayOfWeek: d, opens: '08:00', closes: '17:00', timeZone: 'America/New_York' } });
  const cardio = await db.department.create({ data: { code: 'cardiology', name: 'Cardiology', nameEs: 'Cardiología', kind: 'clinic' } });
  await db.department.create({ data: { code: 'pharmacy', name: 'Pharmacy', nameEs: 'Farmacia', kind: 'pharmacy' } });
  const doc = await db.practitioner.create({ data: { givenName: 'Maya', familyName: 'Lindqvist', role: 'physician', departmentId: cardio.id } });
  const nurse = await db.practitioner.create({ data: { givenName: 'Omar', familyName: 'Haddad', role: 'nurse' } });
  const schedule = await db.schedule.create({ data: { practitionerId: doc.id, departmentId: cardio.id } });
  // Open slots on the next days at 10:30, 14:00 and 15:30 New York (EST, UTC-5), after `now`.
  const day = (n: number, hh: number, mm: number) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + n, hh + 5, mm));
  for (let n = 1; n <= 3; n++) {
    for (const [hh, mm] of [[10, 30], [14, 0], [15, 30]] as const) {
      const start = day(n, hh, mm);
      await db.slot.create({ data: { scheduleId: schedule.id, start, end: new Date(start.getTime() + 30 * 60_000) } });
    }
  }
  const ana = await db.patient.create({
    data: {
      givenName: 'Ana', familyName: 'Okafor', birthDate: new Date('1984-03-07'), preferredLanguage: 'en', postalCode: '10001',
      phones: { create: { e164: '+12125550101', raw: '(212) 555-0101' } },
    },
  });
  await db.prescription.create({ data: { rxNumber: '7654321', patientId: ana.id, prescriberId: doc.id, drug: 'Lisinopril 10 mg', refillsRemaining: 3 } });
  await db.prescription.create({ data: { rxNumber: '7000001', patientId: ana.id, prescriberId: doc.id, drug: 'Atorvastatin 20 mg', refillsRemaining: 0 } });
  const rosa = await db.patient.create({
    data: {
      givenName: 'Rosa', familyName: 'Quintero', birthDate: new Date('1951-11-23'), preferredLanguage: 'es', postalCode: '33125',
      phones: { create: { e164: '+13055550102', raw: '305-555-0102' } },
    },
  });
  await db.prescription.create({ data: { rxNumber: '8123456', patientId: rosa.id, prescriberId: doc.id, drug: 'Metformina 500 mg', refillsRemaining: 2 } });
  const twinA = await db.patient.create({
    data: { givenName: 'Leo', familyName: 'Brandt', birthDate: new Date('2010-06-15'), postalCode: '60601', phones: { create: { e164: '+13125550103', raw: '312-555-0103' } } },
  });
  const twinB = await db.patient.create({
    data: { givenName: 'Mia', familyName: 'Brandt', birthDate: new Date('2012-01-02'), postalCode: '60601', phones: { create: { e164: '+13125550103', raw: '312-555-0103' } } },
  });
  await db.patient.create({
    data: {
      givenName: 'Walter', familyName: 'Ames', birthDate: new Date('1940-01-01'), deceased: true, deceasedAt: new Date('2025-01-01'),
      phones: { create: { e164: '+14155550104', raw: '415-555-0104' } },
    },
  });
  await db.onCallShift.create({
    data: { practitionerId: nurse.id, role: 'nurse', start: new Date(now.getTime() - 12 * 3600_000), end: new Date(now.getTime() + 12 * 3600_000), phone: '+16175550199' },
  });
  return {
    ana: { id: ana.id, phone: '+12125550101', dob: '03071984', rxRefill: '7654321', rxEmpty: '7000001' },
    rosa: { id: rosa.id, phone: '+13055550102', dob: '11231951', zip: '33125' },
    shared: { phone: '+13125550103', ids: [twinA.id, twinB.id], dob: '06152010', zip: '60601' },
    ghost: { phone: '+14155550104', dob: '01011940' },
    onCallNurse: '+16175550199',
  };
}

/** Everything the caller heard since a given index, joined. */
export function heardSince(call: SimCall, from: number): string {
  return call.heard.slice(from).map((h) => h.text).join('\n');
}

/**
 * Drives a call from the language menu to the main menu as a verified patient.
 * @param lang - 1 English, 2 Spanish
 */
export async function verifyByKeypad(call: SimCall, lang: '1' | '2', dob: string): Promise<void> {
  await call.press(lang);
  await call.press(dob);
}

/** The call's events of one type, oldest first. */
export async function eventsOf(ivr: Ivr, callSid: string, type?: string) {
  await recordsWritten(ivr.app);
  return ivr.db.callEvent.findMany({ where: { callSid, ...(type ? { type } : {}) }, orderBy: [{ at: 'asc' }, { key: 'asc' }] });
}

/** The TwiML careline answered last (the flow's latest word to Twilio). */
export function lastTwiml(call: SimCall): string {
  const flowRequests = call.requests.filter((r) => /\/webhooks\/(voice|flow\/)/.test(r.url));
  return flowRequests[flowRequests.length - 1]?.body ?? '';
}

/** Asserts the call was handed to a routing queue, and returns the transfer event's detail. */
export async function expectTransferred(ivr: Ivr, call: SimCall, queue: string): Promise<{ skills: string[]; priority: number; verified: boolean }> {
  const body = call.requests.map((r) => r.body ?? '').find((b) => b.includes('<Enqueue'));
  expect(body).toBeDefined();
  await recordsWritten(ivr.app);
  const db = ivr.db;
  const rec = await db.callRecord.findUniqueOrThrow({ where: { callSid: call.sid } });
  expect(rec.queueName).toBe(queue);
  // The hand-off is an event, not an outcome: abandoned once the caller hangs up in the queue.
  expect(rec.outcome).not.toBe('transferred');
  if (rec.endedAt) expect(rec.outcome).toBe('abandoned');
  const ev = await db.callEvent.findFirstOrThrow({ where: { callSid: call.sid, type: 'transfer' } });
  expect(ev.name).toBe(queue);
  return ev.detail as { skills: string[]; priority: number; verified: boolean };
}
