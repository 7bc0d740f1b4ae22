import { recordsWritten } from '../helpers/app';
import { launchCampaign } from '../../src/reminders/campaign-launch';
import { sweepReminders } from '../../src/reminders/reconcile';
import type { SimCall } from '../../src/sim';
import { addPatient, addPrescription, NY_OPENS, startReminderHarness, waitFor, type ReminderHarness } from './reminders-fixtures';

// The paths of a reminder call on the local Twilio: a person who verifies and acts, a stop request
// honoured within the same campaign, a busy line retried on another day until attempts run out.

async function liveCall(h: ReminderHarness, phone: string, n = 0) {
  const created = await waitFor(`call ${n + 1} to the patient`, async () => h.sim.createdCalls.filter((c) => c.to === phone)[n]);
  await waitFor('the reminder flow waiting for a key', async () => {
    await h.sim.idle();
    return h.sim.call(created.sid)?.waitingFor === 'gather';
  });
  return h.sim.call(created.sid)!;
}

/** Presses each key in turn, letting the call settle after each (the flow's answer arrives). */
async function pressEach(call: SimCall, ...keys: string[]) {
  for (const k of keys) {
    await call.press(k);
    await call.settled();
  }
}

describe('reminder call paths', () => {
  let h: ReminderHarness;
  beforeEach(async () => {
    h = await startReminderHarness(NY_OPENS);
    h.startWorker();
  });
  afterEach(async () => {
    await h.close();
  });

  test('a person verifies the date of birth before hearing the drug, then requests the refill', async () => {
    const phone = '+12125557711';
    const p = await addPatient(h.ctx, { given: 'Ines', timeZone: 'America/New_York', phone, birthDate: '1961-04-09' });
    const rx = await addPrescription(h.ctx, p.id, NY_OPENS, 24, 'Metformin 500 mg');
    await launchCampaign(h.ctx, { kind: 'refill' });

    const call = await liveCall(h, phone);
    expect(call.transcript()).toMatch(/^Hello, this is Maple Clinic calling\. Our call-back number is 5 5 5, 0 1 0, 0 0 0 0\./);
    expect(call.transcript()).not.toMatch(/Metformin|Ines/);
    await pressEach(call, '1', '04091961');
    expect(call.transcript()).toContain('Your prescription for Metformin 500 mg is due for a refill');
    await pressEach(call, '1');
    expect(call.ended).toBe(true);

    const r = await waitFor('the reminder completed', async () => {
      const x = await h.ctx.db.reminder.findFirst({ where: { phone }, include: { attemptLog: true } });
      return x?.status === 'completed' && x;
    });
    expect(r.outcome).toBe('refill_requested');
    expect(r.attemptLog.map((a) => [a.status, a.answeredBy])).toEqual([['refill_requested', 'human']]);
    expect(await h.ctx.db.refillRequest.count({ where: { prescriptionId: rx.id, callSid: call.sid } })).toBe(1);
    await recordsWritten(h);
    const record = await h.ctx.db.callRecord.findUniqueOrThrow({ where: { callSid: call.sid } });
    expect([record.reminderId, record.patientId, record.verified]).toEqual([r.id, p.id, true]);
  });

  test('a patient with several refills due gets one call for all of them, and one key requests them all', async () => {
    const phone = '+12125557715';
    const p = await addPatient(h.ctx, { given: 'Iris', timeZone: 'America/New_York', phone, birthDate: '1958-02-11' });
    const a = await addPrescription(h.ctx, p.id, NY_OPENS, 24, 'Metformin 500 mg');
    const b = await addPrescription(h.ctx, p.id, NY_OPENS, 48, 'Atorvastatin 20 mg');
    const c = await addPrescription(h.ctx, p.id, NY_OPENS, 60, 'Levothyroxine 50 mcg');
    await h.ctx.db.prescription.update({ where: { id: c.id }, data: { refillsRemaining: 0 } });
    const s = await launchCampaign(h.ctx, { kind: 'refill' });
    expect(s.created).toBe(3);

    const call = await liveCall(h, phone);
    await pressEach(call, '1', '02111958');
    expect(call.transcript()).toContain('Thank you, Iris. 3 of your prescriptions are due for a refill: Atorvastatin 20 mg, Levothyroxine 50 mcg, and Metformin 500 mg.');
    await pressEach(call, '1');
    expect(call.transcript()).toMatch(/Your refill of Atorvastatin 20 mg and Metformin 500 mg has been requested\. It will be ready for pickup today at .+\.\sNo refills are left for Levothyroxine 50 mcg, so we have asked your prescriber for a renewal\.\sThank you, and goodbye\./);
    expect(call.ended).toBe(true);

    const requests = await h.ctx.db.refillRequest.findMany({ where: { callSid: call.sid } });
    expect(requests.map((r) => [r.prescriptionId, r.kind]).sort()).toEqual([[a.id, 'refill'], [b.id, 'refill'], [c.id, 'renewal']].sort());
    const rs = await waitFor('every reminder completed', async () => {
      const x = await h.ctx.db.reminder.findMany({ where: { campaignId: s.campaignId } });
      return x.every((r) => r.status === 'completed') && x;
    });
    expect(rs.map((r) => r.outcome)).toEqual(['refill_requested', 'refill_requested', 'refill_requested']);
    // The other two are answered by this call: a sweep offers nothing more to dial.
    await sweepReminders(h.ctx, { graceMs: 0 });
    await new Promise((r) => setTimeout(r, 300));
    expect(h.sim.createdCalls.filter((x) => x.to === phone)).toHaveLength(1);
  });

  test('in Spanish, two refills due are named together and requested with one key', async () => {
    const phone = '+12125557716';
    const p = await addPatient(h.ctx, { given: 'Rosa', timeZone: 'America/New_York', phone, birthDate: '1966-09-30', language: 'es' });
    await addPrescription(h.ctx, p.id, NY_OPENS, 24, 'Metformina 500 mg');
    await addPrescription(h.ctx, p.id, NY_OPENS, 48, 'Losartán 50 mg');
    await launchCampaign(h.ctx, { kind: 'refill' });

    const call = await liveCall(h, phone);
    await pressEach(call, '1', '09301966');
    expect(call.transcript()).toContain('Gracias, Rosa. 2 de sus recetas están listas para resurtir: Losartán 50 mg y Metformina 500 mg.');
    await pressEach(call, '1');
    expect(call.transcript()).toMatch(/Hemos recibido su solicitud para resurtir Losartán 50 mg y Metformina 500 mg\. Estará lista para recoger hoy a las .+\.\sGracias, adiós\./);
    expect(await h.ctx.db.refillRequest.count({ where: { callSid: call.sid, kind: 'refill' } })).toBe(2);
  });

  test('a wrong date of birth never reveals the drug', async () => {
    const phone = '+12125557712';
    const p = await addPatient(h.ctx, { given: 'Olga', timeZone: 'America/New_York', phone, birthDate: '1961-04-09' });
    await addPrescription(h.ctx, p.id, NY_OPENS, 24, 'Warfarin 5 mg');
    await launchCampaign(h.ctx, { kind: 'refill' });
    const call = await liveCall(h, phone);
    await call.press('1');
    await call.settled();
    for (let i = 0; i < 3 && !call.ended; i++) {
      await call.press('01011990');
      await call.settled();
    }
    expect(call.transcript()).not.toMatch(/Warfarin|Olga/);
    expect(call.transcript()).toContain('does not match our records');
  });

  test('pressing 9 stops every later reminder to that number, including one in the same campaign', async () => {
    const shared = '+12125557713';
    const a = await addPatient(h.ctx, { given: 'Ana', timeZone: 'America/New_York', phone: shared });
    const b = await addPatient(h.ctx, { given: 'Ben', timeZone: 'America/New_York', phone: shared });
    await addPrescription(h.ctx, a.id, NY_OPENS, 24);
    await addPrescription(h.ctx, b.id, NY_OPENS, 24);
    // One live call at a time: the second reminder waits while the first call is on.
    const s = await launchCampaign(h.ctx, { kind: 'refill', maxConcurrency: 1 });
    expect(s.created).toBe(2);

    const call = await liveCall(h, shared);
    await call.press('9');
    await call.settled();
    expect(call.transcript()).toContain('You will not receive any more reminder calls at this number');

    const rs = await waitFor('both reminders opted out', async () => {
      const x = await h.ctx.db.reminder.findMany({ where: { campaignId: s.campaignId } });
      return x.every((r) => r.status === 'opted_out') && x;
    });
    expect(rs).toHaveLength(2);
    expect(await h.ctx.db.optOut.findUnique({ where: { phone: shared } })).toMatchObject({ source: 'ivr' });
    // The waiting one is re-offered by the sweep: it still never dials.
    await sweepReminders(h.ctx, { graceMs: 0 });
    await new Promise((r) => setTimeout(r, 300));
    expect(h.sim.createdCalls.filter((c) => c.to === shared)).toHaveLength(1);
    // A later campaign does not even create a reminder for that number.
    await addPrescription(h.ctx, a.id, NY_OPENS, 48);
    const next = await launchCampaign(h.ctx, { kind: 'refill' });
    expect(next.skipped.opted_out).toBe(1);
  });

  test('a busy line is retried on another day (one call a day), and fails after maxAttempts', async () => {
    const phone = '+12125557714';
    h.sim.setNumberBehaviour(phone, 'busy');
    const p = await addPatient(h.ctx, { given: 'Raj', timeZone: 'America/New_York', phone });
    await addPrescription(h.ctx, p.id, NY_OPENS, 24);
    await launchCampaign(h.ctx, { kind: 'refill', maxAttempts: 2 });

    await waitFor('the first attempt busy', async () => {
      const r = await h.ctx.db.reminder.findFirst({ where: { phone } });
      return r?.status === 'pending' && r.attempts === 1 && r;
    });
    // Four hours later, same day: the backoff has passed but the patient had their call today.
    h.clock.set('2026-11-24T17:31:00Z');
    await sweepReminders(h.ctx, { graceMs: 0 });
    const deferred = await waitFor('the retry deferred to tomorrow', async () => {
      const r = await h.ctx.db.reminder.findFirst({ where: { phone } });
      return r && r.nextAttemptAt.toISOString() === '2026-11-25T13:00:00.000Z' && r;
    });
    expect(deferred.attempts).toBe(1);
    expect(h.sim.createdCalls.filter((c) => c.to === phone)).toHaveLength(1);

    h.clock.set('2026-11-25T13:00:00Z');
    await sweepReminders(h.ctx, { graceMs: 0 });
    const r = await waitFor('the reminder failed', async () => {
      const x = await h.ctx.db.reminder.findFirst({ where: { phone }, include: { attemptLog: { orderBy: { attempt: 'asc' } } } });
      return x?.status === 'failed' && x;
    });
    expect(r.outcome).toBe('unreachable');
    expect(r.attemptLog.map((a) => [a.attempt, a.status])).toEqual([[1, 'busy'], [2, 'busy']]);
    expect(h.sim.createdCalls.filter((c) => c.to === phone)).toHaveLength(2);
  });
});
