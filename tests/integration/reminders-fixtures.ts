import { randomBytes } from 'node:crypto';
import type { Clock, Context } from '../../src/context';
import { initReminderQueue, closeReminderQueue } from '../../src/reminders/reminder-queue';
import { startReminderWorker } from '../../src/reminders/reminder-worker';
import { launchCampaign } from '../../src/reminders/campaign-launch';
import { sweepReminders } from '../../src/reminders/reconcile';
import { TwilioSim } from '../../src/sim';
import { startTestApp, TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, type TestApp } from '../helpers/app';
import type { TestRedis } from '../helpers/redis';
import { waitFor } from '../helpers/wait';
export { waitFor } from '../helpers/wait';

// Shared set-up of the reminder tests: a careline app whose Twilio REST client talks to the local
// Twilio's fake REST API, a settable clock, and a reminder queue of its own.

export const CARELINE_NUMBER = '+15550100000';
/** Tuesday 24 November 2026, 13:30 UTC: 08:30 New York, 07:30 Chicago, 05:30 Los Angeles. */
export const NY_OPENS = new Date('2026-11-24T13:30:00Z');

export type SettableClock = Clock & { at: Date; set(d: Date | string): void };

export function settableClock(at: Date): SettableClock {
  const c: SettableClock = {
    at,
    now: () => new Date(c.at.getTime()),
    set(d) {
      c.at = new Date(d);
    },
  };
  return c;
}

export interface ReminderHarness {
  app: TestApp;
  ctx: Context;
  sim: TwilioSim;
  clock: SettableClock;
  queueName: string;
  /** starts a worker on the harness queue (closed by close()) */
  startWorker(opts?: { concurrency?: number; lockDuration?: number; stalledInterval?: number }): ReturnType<typeof startReminderWorker>;
  close(): Promise<void>;
}

/**
 * The app (fake clock, TWILIO_API_URL = the sim's REST API) and the sim.
 * @param env - extra configuration, e.g. REMINDER_CALLS_PER_SECOND
 * @param testRedis - a Redis of the test's own (the Redis restart test)
 */
export async function startReminderHarness(at: Date = NY_OPENS, env: Record<string, string> = {}, testRedis?: TestRedis): Promise<ReminderHarness> {
  const clock = settableClock(at);
  // The sim only needs careline's address for inbound calls; reminder calls carry absolute URLs.
  const sim = new TwilioSim({ baseUrl: 'http://127.0.0.1:9', accountSid: TEST_ACCOUNT_SID, authToken: TEST_AUTH_TOKEN });
  const restUrl = await sim.listen();
  const app = await startTestApp({ clock, testRedis, env: { TWILIO_API_URL: restUrl, CARELINE_PHONE_NUMBER: CARELINE_NUMBER, PRACTICE_NAME: 'Maple Clinic', REMINDER_CALLS_PER_SECOND: '50', ...env } });
  const queueName = `reminders-${randomBytes(4).toString('hex')}`;
  initReminderQueue(app.ctx, { name: queueName });
  const workers: Array<{ close(): Promise<void> }> = [];
  return {
    app,
    ctx: app.ctx,
    sim,
    clock,
    queueName,
    startWorker(opts = {}) {
      const w = startReminderWorker(app.ctx, { name: queueName, ...opts });
      workers.push(w);
      return w;
    },
    async close() {
      for (const w of workers) await w.close();
      await closeReminderQueue(app.ctx);
      await sim.close();
      await app.close();
    },
  };
}

export interface PatientSpec {
  given: string;
  timeZone: string;
  phone: string;
  /** yyyy-mm-dd */
  birthDate?: string;
  language?: 'en' | 'es';
  deceased?: boolean;
  dialable?: boolean;
}

/** A patient with one mobile phone. */
export async function addPatient(ctx: Context, p: PatientSpec) {
  return ctx.db.patient.create({
    data: {
      givenName: p.given,
      familyName: 'Test',
      birthDate: new Date(`${p.birthDate ?? '1970-01-15'}T00:00:00Z`),
      timeZone: p.timeZone,
      preferredLanguage: p.language ?? 'en',
      deceased: p.deceased ?? false,
      phones: { create: { e164: p.phone, raw: p.phone, use: 'mobile', dialable: p.dialable ?? true } },
    },
  });
}

let rxCounter = 0;
/** An active prescription due `dueInHours` after `now`. */
export async function addPrescription(ctx: Context, patientId: string, now: Date, dueInHours = 24, drug = 'Lisinopril 10 mg') {
  rxCounter += 1;
  return ctx.db.prescription.create({
    data: {
      patientId,
      drug,
      rxNumber: `${Date.now() % 1_000_000}${rxCounter}`.padStart(7, '0'),
      status: 'active',
      refillsRemaining: 3,
      daysSupply: 30,
      lastFilledAt: new Date(now.getTime() - 30 * 86_400_000 + dueInHours * 3_600_000),
    },
  });
}

/** A refill campaign over `n` New York patients whose phones answer as machines (calls end on their own). */
export async function campaignOf(h: ReminderHarness, n: number, prefix: string) {
  const phones: string[] = [];
  for (let i = 0; i < n; i++) {
    const phone = `+1212${prefix}${String(i).padStart(4, '0')}`;
    phones.push(phone);
    h.sim.setNumberBehaviour(phone, 'machine');
    const p = await addPatient(h.ctx, { given: `P${i}`, timeZone: 'America/New_York', phone });
    await addPrescription(h.ctx, p.id, NY_OPENS, 24);
  }
  const s = await launchCampaign(h.ctx, { kind: 'refill', maxConcurrency: 50 });
  expect(s.created).toBe(n);
  return phones;
}

/**
 * Sweeps (as the every-minute job does) until every reminder is settled. When nothing has moved for
 * a while (the leftovers of a crash) the clock jumps 11 minutes, past the staleness limits.
 */
export async function settleAll(h: ReminderHarness, count: number) {
  let lastChange = Date.now();
  let last = '';
  return waitFor(
    'every reminder completed',
    async () => {
      await sweepReminders(h.ctx, { graceMs: 0 });
      const rs = await h.ctx.db.reminder.findMany({ include: { attemptLog: true }, orderBy: { id: 'asc' } });
      const state = rs.map((r) => `${r.status}/${r.attemptLog.map((a) => a.status + (a.callSid ? '+' : '')).join(',')}`).join(' ');
      if (state !== last) {
        last = state;
        lastChange = Date.now();
      } else if (Date.now() - lastChange > 1500) {
        h.clock.set(new Date(h.clock.now().getTime() + 11 * 60_000));
        lastChange = Date.now();
      }
      return rs.length === count && rs.every((r) => r.status === 'completed') && rs;
    },
    25_000,
  );
}

/** Every number got exactly one call. */
export function expectOneCallEach(h: ReminderHarness, phones: string[]) {
  const perPhone = new Map<string, number>();
  for (const c of h.sim.createdCalls) perPhone.set(c.to, (perPhone.get(c.to) ?? 0) + 1);
  expect(phones.filter((p) => perPhone.get(p) !== 1)).toEqual([]);
  expect(h.sim.createdCalls).toHaveLength(phones.length);
}
