import { recordsWritten, TEST_ACCOUNT_SID } from '../helpers/app';
import { newCallSid, postSigned } from '../helpers/twilio-request';
import { startRouting, type RoutingHarness } from '../e2e/routing-harness';
import { APOLOGY, expectValidTwiml, startPrivateRedis, waitFor, type PrivateRedis } from './fault-helpers';

// Fault: Redis (routing's tasks and presence) crashes and comes back empty while callers wait in a
// Twilio queue. Covered elsewhere: Redis restarting mid-IVR (redis-restart.test.ts). What must hold:
// every document careline answers is valid *for the surface that asked*: a waitUrl document may only
// hold Play, Say, Pause, Hangup, Redirect, Leave and Gather (Twilio error 12200 otherwise), so the
// waitUrl's fallback is a short apology and <Leave>; the Enqueue action then takes a voicemail
// (a callback task, once). A status callback during the outage still answers an empty document.

describe('Redis restarted while callers wait in a queue', () => {
  let redis: PrivateRedis;
  let h: RoutingHarness;
  beforeAll(async () => {
    redis = await startPrivateRedis();
    h = await startRouting({ testRedis: redis.testRedis('careline:fault:queue:') });
  });
  afterAll(async () => {
    await h.close();
    await redis.close();
  });

  test('the next wait request, during the outage and after the empty restart, is valid waitUrl TwiML; each caller leaves a voicemail', async () => {
    const during = await h.call('+12125550181', { queue: 'general', requiredSkills: [], language: 'en', reason: 'operator', verified: false });
    const after = await h.call('+12125550182', { queue: 'general', requiredSkills: [], language: 'en', reason: 'operator', verified: false });
    expect(during.queue?.name).toBe('general');
    expect(after.queue?.name).toBe('general');
    expect(during.waitingFor).toBe('hold');

    await redis.kill();
    // While Redis is down: the hold loop asks the waitUrl again.
    await during.waitLoop(1);
    expect(during.errors).toEqual([]);
    expect(during.lastRequest('wait')?.body).toContain('<Leave/>');
    expect(during.lastRequest('wait')?.body).not.toMatch(/<(Record|Dial|Enqueue)/);
    expect(during.transcript()).toContain(APOLOGY);
    expect(during.queue).toBeUndefined();
    expect(during.waitingFor).toBe('record');
    await during.record({ durationSec: 6 });
    expect(during.ended).toBe(true);
    expectValidTwiml(during);

    // Other surfaces during the outage: a status callback gets an empty document; a held caller's
    // hold URL keeps them on hold (Say and Play only, as a conference hold URL also requires).
    const params = { CallSid: newCallSid(), AccountSid: TEST_ACCOUNT_SID, From: '+12125550183', To: '+15550100000' };
    const status = await postSigned(h.app, '/webhooks/agent-call/callback-status?task=t1&agent=a1', { ...params, CallStatus: 'no-answer' });
    expect(status.status).toBe(200);
    expect(status.text).toMatch(/<Response\/>$/);
    const hold = await postSigned(h.app, '/webhooks/conference/hold?conf=careline-t1', params);
    expect(hold.status).toBe(200);
    expect(hold.text).toContain('Please stay on the line.');
    expect(hold.text).toContain('<Play loop="0">http://music.example/hold.mp3</Play>');
    expect(hold.text).not.toMatch(/<(Record|Dial|Gather|Hangup|Enqueue)/);

    await redis.start();
    await waitFor('careline reconnected to Redis', async () => (await h.app.ctx.redis.ping()) === 'PONG');
    // Back but empty: the task and the call's session are gone. Still a waitUrl document.
    await after.waitLoop(1);
    expect(after.errors).toEqual([]);
    expect(after.lastRequest('wait')?.body).toContain('<Leave/>');
    expect(after.queue).toBeUndefined();
    expect(after.waitingFor).toBe('record');
    await after.record({ durationSec: 6 });
    expect(after.ended).toBe(true);
    expectValidTwiml(after);

    await recordsWritten(h.app);
    for (const c of [during, after]) {
      const tasks = await h.app.ctx.db.callbackTask.findMany({ where: { callSid: c.sid } });
      expect(tasks).toHaveLength(1);
      expect(tasks[0]).toMatchObject({ reason: 'voicemail', phone: c.from, status: 'open' });
    }
  });
});
