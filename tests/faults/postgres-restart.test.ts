import { recordsWritten } from '../helpers/app';
import { pendingRecordWrites } from '../../src/records/record-journal';
import { eventsOf, OPEN_AT, startIvr, verifyByKeypad, type Ivr } from '../e2e/ivr-harness';
import { APOLOGY, expectValidTwiml, startDatabase, stopDatabase, waitFor } from './fault-helpers';

// Fault: PostgreSQL stops (no new connections, every session terminated, as in a failover) in the
// middle of an inbound call, and comes back. Covered elsewhere: status callbacks and record writes
// during an outage (tests/integration/records-durable). Here a whole IVR call runs into it. What must
// hold: the caller hears valid TwiML at every step (the apology and a voicemail once the flow needs
// the database); nothing is half done (no refill request); the call's record, events and voicemail
// task land once the database is back, each exactly once; then calls are served in full again.

describe('PostgreSQL stopped and restarted mid-call', () => {
  let ivr: Ivr;
  beforeAll(async () => {
    // The app runs the record writer all the time, as a deployment does; it must wait out the outage.
    ivr = await startIvr(OPEN_AT);
  });
  afterAll(async () => {
    await startDatabase(ivr.app.testDb.name).catch(() => undefined);
    await ivr.close();
  });

  test('the caller hears the apology and leaves a message; the call\'s record and events land once the database is back', async () => {
    const { ana, rosa } = ivr.practice;
    const call = await ivr.call(ana.phone);
    await verifyByKeypad(call, '1', ana.dob);
    await call.press('1');
    expect(call.transcript()).toContain('Please enter your prescription number');
    const eventsBefore = (await eventsOf(ivr, call.sid)).length;

    await stopDatabase(ivr.app.testDb.name);
    await call.press(`${ana.rxRefill}#`);
    expect(call.transcript()).toContain(APOLOGY);
    expect(call.waitingFor).toBe('record');
    await call.record({ durationSec: 9 });
    expect(call.ended).toBe(true);
    expectValidTwiml(call);

    // A caller arriving during the outage is greeted and chooses a language; identifying them needs
    // the database: the apology (in their language) and a voicemail.
    const second = await ivr.call(rosa.phone);
    expect(second.transcript()).toContain('medical emergency');
    await second.press('2');
    expect(second.transcript()).toContain('Lo sentimos, estamos teniendo problemas en este momento.');
    expect(second.transcript()).not.toContain('Rosa');
    expect(second.waitingFor).toBe('record');
    await second.record({ durationSec: 5 });
    expect(second.ended).toBe(true);
    expectValidTwiml(second);
    expect(await pendingRecordWrites(ivr.app.ctx)).toBeGreaterThan(0);

    await startDatabase(ivr.app.testDb.name);
    await waitFor('queued record writes drained', async () => (await pendingRecordWrites(ivr.app.ctx)) === 0, 25_000);

    // Nothing half done, and everything the outage held back is in, once.
    expect(await ivr.db.refillRequest.count({ where: { patientId: ana.id } })).toBe(0);
    for (const c of [call, second]) {
      await recordsWritten(ivr.app);
      const rec = await ivr.db.callRecord.findUniqueOrThrow({ where: { callSid: c.sid } });
      expect(rec).toMatchObject({ status: 'completed', direction: 'inbound', from: c.from });
      const tasks = await ivr.db.callbackTask.findMany({ where: { callSid: c.sid } });
      expect(tasks).toHaveLength(1);
      expect(tasks[0]).toMatchObject({ reason: 'voicemail', phone: c.from, status: 'open' });
      const events = await eventsOf(ivr, c.sid);
      expect(new Set(events.map((e) => e.key)).size).toBe(events.length);
      expect(events.filter((e) => e.type === 'error')).toHaveLength(1);
      expect(events.find((e) => e.type === 'status' && e.name === 'completed')).toBeDefined();
    }
    const first = await eventsOf(ivr, call.sid);
    expect(first.length).toBeGreaterThan(eventsBefore);
    await recordsWritten(ivr.app);
    expect(await ivr.db.callRecord.findUniqueOrThrow({ where: { callSid: call.sid } })).toMatchObject({ language: 'en', verified: true });
    expect(await ivr.db.callRecord.findUniqueOrThrow({ where: { callSid: second.sid } })).toMatchObject({ language: 'es' });

    // Served in full again: the refill the first caller could not finish.
    const again = await ivr.call(ana.phone);
    await verifyByKeypad(again, '1', ana.dob);
    await again.press('1');
    await again.press(`${ana.rxRefill}#`);
    expect(again.transcript()).toContain('Your refill of Lisinopril 10 mg has been requested.');
    await again.hangup();
    expectValidTwiml(again);
    expect(await ivr.db.refillRequest.count({ where: { patientId: ana.id } })).toBe(1);
  });
});
