import { recordsWritten, startTestApp, type TestApp } from '../helpers/app';
import { newCallSid, postSigned } from '../helpers/twilio-request';

describe('POST /webhooks/status', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app.close();
  });

  const status = (callSid: string, CallStatus: string, extra: Record<string, string> = {}) =>
    postSigned(app, '/webhooks/status', { CallSid: callSid, AccountSid: 'AC' + 'a'.repeat(32), From: '+12125550123', To: '+15550100000', Direction: 'inbound', CallStatus, ...extra });

  test('writes a call record from the first callback it sees', async () => {
    const sid = newCallSid();
    const res = await status(sid, 'completed', { CallDuration: '42', Timestamp: 'Tue, 24 Nov 2026 22:00:42 +0000' });
    expect(res.status).toBe(200);
    await recordsWritten(app);
    const rec = await app.ctx.db.callRecord.findUniqueOrThrow({ where: { callSid: sid } });
    expect(rec.status).toBe('completed');
    expect(rec.durationSec).toBe(42);
    expect(rec.endedAt?.toISOString()).toBe('2026-11-24T22:00:42.000Z');
    expect(rec.startedAt.toISOString()).toBe('2026-11-24T22:00:00.000Z');
  });

  test('a late ringing never overwrites completed, and a repeat changes nothing', async () => {
    const sid = newCallSid();
    await status(sid, 'ringing');
    await status(sid, 'in-progress');
    await status(sid, 'completed', { CallDuration: '30' });
    await status(sid, 'ringing');
    await status(sid, 'in-progress');
    await status(sid, 'completed', { CallDuration: '99' });
    await recordsWritten(app);
    const rec = await app.ctx.db.callRecord.findUniqueOrThrow({ where: { callSid: sid }, include: { events: true } });
    expect(rec.status).toBe('completed');
    expect(rec.durationSec).toBe(30);
    expect(rec.answeredAt).not.toBeNull();
    expect(rec.events.filter((e) => e.type === 'status').map((e) => e.name).sort()).toEqual(['completed', 'in-progress', 'ringing']);
  });

  test('concurrent out-of-order callbacks converge on the terminal status', async () => {
    const sid = newCallSid();
    await Promise.all(['completed', 'ringing', 'in-progress', 'initiated', 'completed'].map((s) => status(sid, s)));
    await recordsWritten(app);
    const rec = await app.ctx.db.callRecord.findUniqueOrThrow({ where: { callSid: sid } });
    expect(rec.status).toBe('completed');
  });

  test('an unknown CallStatus is 400 with the reason', async () => {
    const res = await status(newCallSid(), 'exploded');
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/CallStatus/);
  });
});
