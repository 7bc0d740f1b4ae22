import request from 'supertest';
import net from 'node:net';
import { createRedis } from '../../src/db/redis';
import { startFlow, flowStartUrl, registerAction, getAction } from '../../src/flow';
import { loadSession } from '../../src/flow/session';
import { TwilioSim } from '../../src/sim';
import { recordsWritten, startTestApp, TEST_ACCOUNT_SID, TEST_AUTH_TOKEN } from '../helpers/app';
import { createTestRedis } from '../helpers/redis';
import { newCallSid, postSigned } from '../helpers/twilio-request';
import { CARELINE_NUMBER, CLOSED_AT, createPractice, fakeClock, OPEN_AT } from './ivr-harness';

// What callers hear when a dependency fails, and the API other modules use to start flows.

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('when Redis is down', () => {
  test('an inbound call still hears an apology and can leave a message (Redis on a closed port)', async () => {
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    const redis = createRedis(url, 'careline:test:down:');
    const app = await startTestApp({ testRedis: { redis, url, prefix: 'careline:test:down:', close: async () => redis.disconnect() } });
    const sim = new TwilioSim({ baseUrl: app.baseUrl, accountSid: TEST_ACCOUNT_SID, authToken: TEST_AUTH_TOKEN });
    try {
      const call = await sim.inboundCall({ from: '+12125550101', to: CARELINE_NUMBER });
      expect(call.errors).toEqual([]);
      expect(call.transcript()).toContain('We are sorry, we are having trouble right now.');
      expect(call.waitingFor).toBe('record');
      await call.record({ durationSec: 8 });
      const task = await app.ctx.db.callbackTask.findFirstOrThrow({ where: { callSid: call.sid } });
      expect(task.reason).toBe('voicemail');
      // And the health check says which dependency is down.
      const health = await request(app.server).get('/healthz');
      expect(health.status).toBe(503);
      expect(health.body).toEqual({ ok: false, postgres: 'up', redis: 'down' });
    } finally {
      await sim.close();
      await app.close();
    }
  });

  test('a caller arriving during the outage first hears the emergency notice, in English and Spanish, then the apology', async () => {
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    const redis = createRedis(url, 'careline:test:down-new:');
    const app = await startTestApp({ testRedis: { redis, url, prefix: 'careline:test:down-new:', close: async () => redis.disconnect() }, env: { FALLBACK_PHONE_NUMBER: '+12125550199' } });
    const sim = new TwilioSim({ baseUrl: app.baseUrl, accountSid: TEST_ACCOUNT_SID, authToken: TEST_AUTH_TOKEN });
    try {
      const call = await sim.inboundCall({ from: '+12125550101', to: CARELINE_NUMBER });
      expect(call.errors).toEqual([]);
      const said = call.heard.filter((h) => h.verb === 'Say');
      expect(said.slice(0, 2)).toEqual([
        expect.objectContaining({ text: 'If this is a medical emergency, hang up and dial 911.', language: 'en-US' }),
        expect.objectContaining({ text: 'Si se trata de una emergencia médica, cuelgue y marque el 911.', language: 'es-US' }),
      ]);
      expect(call.transcript()).toContain('We are sorry, we are having trouble right now.');
      expect(call.transcript()).toContain('Lo sentimos, estamos teniendo problemas en este momento.');
      // Then a person (the fallback number), as before.
      expect(call.bridge?.to).toBe('+12125550199');
    } finally {
      await sim.close();
      await app.close();
    }
  });

  test('Redis lost in the middle of a call: the next step answers the apology, never a 5xx', async () => {
    const testRedis = await createTestRedis();
    const app = await startTestApp({ testRedis, clock: fakeClock(OPEN_AT) });
    await createPractice(app.ctx.db, OPEN_AT);
    const sim = new TwilioSim({ baseUrl: app.baseUrl, accountSid: TEST_ACCOUNT_SID, authToken: TEST_AUTH_TOKEN });
    try {
      const call = await sim.inboundCall({ from: '+12125550101', to: CARELINE_NUMBER });
      await call.press('1');
      expect(call.transcript()).toContain('enter your date of birth');
      testRedis.redis.disconnect();
      await call.press('03071984');
      expect(call.errors).toEqual([]);
      expect(call.lastRequest('action')?.status).toBe(200);
      expect(call.transcript()).toContain('We are sorry, we are having trouble right now.');
      expect(call.transcript()).not.toContain('Ana');
    } finally {
      await sim.close();
      await app.close();
      await testRedis.close();
    }
  });
});

describe('starting flows from other modules', () => {
  test('startFlow returns the first TwiML of a named flow in the language asked; a second start answers the same', async () => {
    const app = await startTestApp({ clock: fakeClock(CLOSED_AT) });
    try {
      await createPractice(app.ctx.db, CLOSED_AT);
      const callSid = newCallSid();
      const opts = { callSid, flow: 'common/after-hours', language: 'es' as const, vars: { reminder: 'rem_1' }, from: '+13055550102', direction: 'outbound-api' };
      const twiml = await startFlow(app.ctx, opts);
      expect(twiml).toContain('Nuestro horario es lunes a viernes');
      expect(twiml).toContain('language="es-US"');
      expect(await startFlow(app.ctx, opts)).toBe(twiml);
      const session = await loadSession(app.ctx, callSid);
      expect(session).toMatchObject({ flow: 'common/after-hours', language: 'es', vars: { reminder: 'rem_1' }, verified: false });
      await expect(startFlow(app.ctx, { ...opts, callSid: newCallSid(), flow: 'nope' })).rejects.toThrow(/unknown flow "nope"/);
    } finally {
      await app.close();
    }
  });

  test('an outbound REST call whose Url is flowStartUrl runs the flow on the callee; query parameters become variables', async () => {
    const port = await freePort();
    const app = await startTestApp({ clock: fakeClock(CLOSED_AT), env: { TWILIO_API_URL: `http://127.0.0.1:${port}` } });
    const sim = new TwilioSim({ baseUrl: app.baseUrl, accountSid: TEST_ACCOUNT_SID, authToken: TEST_AUTH_TOKEN });
    await sim.listen(port);
    try {
      await createPractice(app.ctx.db, CLOSED_AT);
      const url = flowStartUrl(app.ctx.config, 'common/after-hours', { lang: 'es', reminder: 'rem_42' });
      expect(url).toBe(`${app.baseUrl}/webhooks/flow/start?flow=common%2Fafter-hours&lang=es&reminder=rem_42`);
      const created = await app.ctx.twilio.calls.create({ to: '+13055550102', from: CARELINE_NUMBER, url });
      await sim.idle();
      const call = sim.call(created.sid)!;
      expect(call.transcript()).toContain('Nuestra oficina está cerrada en este momento.');
      await call.press('1');
      await call.record({ durationSec: 5 });
      await recordsWritten(app);
      const task = await app.ctx.db.callbackTask.findFirstOrThrow({ where: { callSid: call.sid } });
      expect(task).toMatchObject({ phone: '+13055550102', language: 'es', reason: 'after_hours' });
      const session = await loadSession(app.ctx, call.sid);
      expect(session?.vars.reminder).toBe('rem_42');
      const rec = await app.ctx.db.callRecord.findUniqueOrThrow({ where: { callSid: call.sid } });
      expect(rec.direction).toBe('outbound-api');
    } finally {
      await sim.close();
      await app.close();
    }
  });

  test('a malformed start URL is refused with 400; other modules can register actions', async () => {
    const app = await startTestApp();
    try {
      const params = { CallSid: newCallSid(), AccountSid: TEST_ACCOUNT_SID, From: CARELINE_NUMBER, To: '+13055550102', Direction: 'outbound-api' };
      const res = await postSigned(app, '/webhooks/flow/start?flow=../../etc', params);
      expect(res.status).toBe(400);
      const step = await postSigned(app, '/webhooks/flow/step?step=abc', params);
      expect(step.status).toBe(400);
      registerAction('test.ping', async () => 'pong', { results: ['pong'] });
      expect(getAction('test.ping')?.results).toEqual(['pong']);
    } finally {
      await app.close();
    }
  });
});
