import { recordsWritten, startTestApp, type TestApp } from '../helpers/app';
import { newCallSid, postSigned } from '../helpers/twilio-request';
import { applyRecordWrites } from '../../src/records/record-batch';
import type { StatusUpdate } from '../../src/records/record-store';
import type { RecordWrite } from '../../src/records/record-write';

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

  test('one batch holding several callbacks per call applies each call\'s in the order they came', async () => {
    const [a, b, c] = [newCallSid(), newCallSid(), newCallSid()];
    const at = (s: number) => new Date(Date.UTC(2026, 10, 24, 22, 0, s));
    const update = (callSid: string, s: string, sec: number, extra: Partial<StatusUpdate> = {}): RecordWrite => ({ kind: 'status', update: { callSid, status: s, direction: 'inbound', from: '+12125550123', at: at(sec), ...extra } });
    await applyRecordWrites(app.ctx, [{ kind: 'start', call: { callSid: c, direction: 'inbound', at: at(1) } }]);
    await applyRecordWrites(app.ctx, [
      update(a, 'ringing', 1),
      update(b, 'completed', 40, { durationSec: 35 }),
      update(a, 'in-progress', 3),
      update(b, 'in-progress', 8),
      update(a, 'completed', 30, { durationSec: 27 }),
      update(a, 'completed', 30, { durationSec: 27 }),
      update(c, 'ringing', 2),
    ]);
    const rec = (sid: string) => app.ctx.db.callRecord.findUniqueOrThrow({ where: { callSid: sid }, include: { events: { orderBy: { at: 'asc' } } } });
    const ra = await rec(a);
    expect(ra).toMatchObject({ status: 'completed', durationSec: 27, answeredAt: at(3), endedAt: at(30), startedAt: at(1), from: '+12125550123', outcome: 'ivr_hangup' });
    expect(ra.events.map((e) => e.name)).toEqual(['ringing', 'in-progress', 'completed']);
    // b: completed overtook in-progress, which still gives the answer time but no status change
    const rb = await rec(b);
    expect(rb).toMatchObject({ status: 'completed', durationSec: 35, answeredAt: at(8), endedAt: at(40), startedAt: at(5) });
    expect(rb.events.map((e) => e.name)).toEqual(['completed']);
    // c: ringing since its Voice URL request, so its ringing callback changes nothing
    const rc = await rec(c);
    expect(rc).toMatchObject({ status: 'ringing', startedAt: at(1) });
    expect(rc.events).toEqual([]);
  });

  test('an unknown CallStatus is 400 with the reason', async () => {
    const res = await status(newCallSid(), 'exploded');
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/CallStatus/);
  });
});
