import request from 'supertest';
import { recordsWritten, startTestApp, type TestApp } from '../helpers/app';
import { newCallSid, postSigned } from '../helpers/twilio-request';

describe('Twilio webhook boundary', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app.close();
  });

  const inbound = (callSid: string) => ({ CallSid: callSid, AccountSid: 'AC' + 'a'.repeat(32), From: '+12125550123', To: '+15550100000', CallStatus: 'ringing', Direction: 'inbound', ApiVersion: '2010-04-01' });

  test('a correctly signed inbound call gets TwiML with the greeting', async () => {
    const res = await postSigned(app, '/webhooks/voice', inbound(newCallSid()));
    expect(res.status).toBe(200);
    expect(res.type).toBe('text/xml');
    expect(res.text).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?><Response>/);
    expect(res.text).toContain('medical emergency');
  });

  test('a missing signature is 403 and never TwiML', async () => {
    const res = await request(app.server).post('/webhooks/voice').type('form').send(inbound(newCallSid()));
    expect(res.status).toBe(403);
    expect(res.text).not.toContain('<Response');
  });

  test('a signature over other parameters is 403', async () => {
    const params = inbound(newCallSid());
    const res = await postSigned(app, '/webhooks/voice', params).send({ Digits: '9' });
    expect(res.status).toBe(403);
  });

  test('a signature computed for another host is 403 (X-Forwarded-Host is not trusted)', async () => {
    const twilio = await import('twilio');
    const params = inbound(newCallSid());
    const sig = twilio.default.getExpectedTwilioSignature('test-auth-token-0123456789', 'https://evil.example/webhooks/voice', params);
    const res = await request(app.server).post('/webhooks/voice').set('X-Forwarded-Host', 'evil.example').set('X-Forwarded-Proto', 'https').set('X-Twilio-Signature', sig).type('form').send(params);
    expect(res.status).toBe(403);
  });

  test('a missing CallSid is 400 with the reason', async () => {
    const { CallSid: _omit, ...rest } = inbound(newCallSid());
    const res = await postSigned(app, '/webhooks/voice', rest);
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/CallSid/);
    expect(res.text).not.toMatch(/at .*\.ts/);
  });

  test('a 1 MB body is refused with 413 and no stack trace', async () => {
    const res = await request(app.server).post('/webhooks/voice').type('form').send({ CallSid: newCallSid(), Junk: 'x'.repeat(1024 * 1024) });
    expect(res.status).toBe(413);
    expect(res.text).not.toMatch(/at .*\.(ts|js)/);
  });

  test('the same webhook delivered twice gets the same TwiML and one call record', async () => {
    const params = inbound(newCallSid());
    const [a, b] = await Promise.all([postSigned(app, '/webhooks/voice', params), postSigned(app, '/webhooks/voice', params)]);
    expect(a.text).toBe(b.text);
    await recordsWritten(app);
    expect(await app.ctx.db.callRecord.count({ where: { callSid: params.CallSid } })).toBe(1);
  });

  test('GET /healthz reports both dependencies up', async () => {
    const res = await request(app.server).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true, postgres: 'up', redis: 'up' });
  });
});
