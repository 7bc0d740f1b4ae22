import { TwilioSim } from '../../src/sim';
import { recordsWritten, startTestApp, TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, type TestApp } from '../helpers/app';
import { CARELINE_NUMBER, createPractice, fakeClock, OPEN_AT, verifyByKeypad, type Practice } from '../e2e/ivr-harness';
import { APOLOGY, expectValidTwiml, startPrivateRedis, waitFor, type PrivateRedis } from './fault-helpers';

// Fault: Redis crashes and is restarted (empty: no persistence) while calls are in the middle of the
// IVR. Covered elsewhere: Redis unreachable from the start or lost for good (tests/e2e/ivr-resilience).
// Here the call sessions vanish with the restart. What must hold: a caller who acts while Redis is
// down, or after it came back without their session, hears the apology and can leave a message (a
// callback task, once); after the reconnect a new caller is served in full.

describe('Redis restarted mid-call', () => {
  let redis: PrivateRedis;
  let app: TestApp;
  let sim: TwilioSim;
  let practice: Practice;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    app = await startTestApp({ testRedis: redis.testRedis('careline:fault:restart:'), clock: fakeClock(OPEN_AT) });
    practice = await createPractice(app.ctx.db, OPEN_AT);
    sim = new TwilioSim({ baseUrl: app.baseUrl, accountSid: TEST_ACCOUNT_SID, authToken: TEST_AUTH_TOKEN });
  });
  afterAll(async () => {
    await sim.close();
    await app.close();
    await redis.close();
  });

  test('callers in flight hear the apology and leave a message; after the reconnect a new call completes a refill', async () => {
    const { ana, rosa } = practice;
    const during = await sim.inboundCall({ from: ana.phone, to: CARELINE_NUMBER });
    await during.press('1');
    const after = await sim.inboundCall({ from: rosa.phone, to: CARELINE_NUMBER });
    await after.press('2');
    expect(during.gather).toBeDefined();
    expect(after.gather).toBeDefined();

    await redis.kill();
    // While Redis is down: the next step answers the apology and a voicemail, never a 5xx.
    await during.press(ana.dob);
    expect(during.transcript()).toContain(APOLOGY);
    expect(during.transcript()).not.toContain('Ana');
    expect(during.waitingFor).toBe('record');
    await during.record({ durationSec: 6 });
    expect(during.ended).toBe(true);

    await redis.start();
    await waitFor('careline reconnected to Redis', async () => (await app.ctx.redis.ping()) === 'PONG');
    // Redis is back but empty: this caller's session is gone. The apology and voicemail, still in
    // the Spanish she chose (the step URL carries the language).
    await after.press(rosa.dob);
    expect(after.transcript()).toContain('Lo sentimos, estamos teniendo problemas en este momento.');
    expect(after.transcript()).not.toContain('Rosa');
    expect(after.waitingFor).toBe('record');
    await after.record({ durationSec: 6 });
    expect(after.ended).toBe(true);

    for (const c of [during, after]) {
      expectValidTwiml(c);
      await recordsWritten(app);
      const tasks = await app.ctx.db.callbackTask.findMany({ where: { callSid: c.sid } });
      expect(tasks).toHaveLength(1);
      expect(tasks[0]).toMatchObject({ reason: 'voicemail', phone: c.from, status: 'open' });
      expect(await app.ctx.db.callRecord.findUniqueOrThrow({ where: { callSid: c.sid } })).toMatchObject({ status: 'completed' });
    }

    // A new call after the reconnect is served in full: verified, refill requested once.
    const fresh = await sim.inboundCall({ from: ana.phone, to: CARELINE_NUMBER });
    await verifyByKeypad(fresh, '1', ana.dob);
    await fresh.press('1');
    await fresh.press(`${ana.rxRefill}#`);
    expect(fresh.transcript()).toContain('Your refill of Lisinopril 10 mg has been requested.');
    await fresh.press('2');
    expect(fresh.ended).toBe(true);
    expectValidTwiml(fresh);
    expect(fresh.transcript()).not.toContain(APOLOGY);
    expect(await app.ctx.db.refillRequest.count({ where: { callSid: fresh.sid } })).toBe(1);
    expect(await app.ctx.db.refillRequest.count({ where: { patientId: ana.id } })).toBe(1);
  });
});
