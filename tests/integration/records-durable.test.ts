import { createRedis } from '../../src/db/redis';
import { appendCallEvent, updateCallRecord } from '../../src/records/call-events';
import { writeDurably } from '../../src/records/durable-write';
import { decodeRecordWrite } from '../../src/records/record-write';
import { FAILED_JOURNAL, pendingRecordWrites, RECORD_JOURNAL, startRecordWriter } from '../../src/records/record-journal';
import type { Worker } from '../../src/workers';
import { startTestApp, type TestApp } from '../helpers/app';
import { newCallSid, postSigned } from '../helpers/twilio-request';
import { startDatabase, stopDatabase } from '../helpers/db';
import { waitFor } from '../helpers/wait';

// PostgreSQL goes away mid-call (the test database stops accepting connections and its sessions
// are terminated, as in a failover); webhooks must still answer TwiML, and every write made
// meanwhile must reach the database, in order, once it is back.

class FakeClock {
  constructor(public t: Date) {}
  now(): Date {
    return new Date(this.t);
  }
  advance(sec: number): void {
    this.t = new Date(this.t.getTime() + sec * 1000);
  }
}

const rfc = (d: Date) => d.toUTCString().replace('GMT', '+0000');

describe('call-record writes survive a database outage', () => {
  const clock = new FakeClock(new Date('2026-11-24T15:00:00Z'));
  let app: TestApp;
  let writer: Worker | undefined;
  beforeAll(async () => {
    app = await startTestApp({ clock, recordWriter: false });
  });
  afterAll(async () => {
    await startDatabase(app.testDb.name).catch(() => undefined);
    await writer?.close();
    await app.close();
  });

  test('webhooks answer TwiML while PostgreSQL is down, and the writes land in order once it is back', async () => {
    const callSid = newCallSid();
    const caller = { AccountSid: app.ctx.config.TWILIO_ACCOUNT_SID, From: '+12125550123', To: '+15550100000', Direction: 'inbound' };
    const voice = await postSigned(app, '/webhooks/voice', { ...caller, CallSid: callSid, CallStatus: 'ringing' });
    expect(voice.status).toBe(200);
    await updateCallRecord(app.ctx, callSid, { language: 'en', intent: 'refill' });

    await stopDatabase(app.testDb.name);
    // The pool's connections were killed: the app must notice and not hang.
    await expect(app.ctx.db.$queryRaw`SELECT 1`).rejects.toThrow();

    clock.advance(20);
    await appendCallEvent(app.ctx, callSid, { key: 'node:1', type: 'node', name: 'transfer' });
    await updateCallRecord(app.ctx, callSid, { queueName: 'pharmacy', queueEnteredAt: clock.now(), intent: 'refill' });
    clock.advance(45);
    // Out of order, as Twilio may: completed first, then a late in-progress.
    const completedAt = clock.now();
    const completed = await postSigned(app, '/webhooks/status', { ...caller, CallSid: callSid, CallStatus: 'completed', CallDuration: '65', Timestamp: rfc(completedAt) });
    expect(completed.status).toBe(200);
    expect(completed.text).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    const late = await postSigned(app, '/webhooks/status', { ...caller, CallSid: callSid, CallStatus: 'in-progress', Timestamp: rfc(new Date('2026-11-24T15:00:00Z')) });
    expect(late.status).toBe(200);

    // A new call during the outage still gets TwiML (whatever the flow can do without PostgreSQL).
    const other = newCallSid();
    const second = await postSigned(app, '/webhooks/voice', { ...caller, CallSid: other, CallStatus: 'ringing' });
    expect(second.status).toBe(200);
    expect(second.text).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?><Response>/);

    // The fallback voicemail (what a caller gets when careline cannot serve them) becomes a callback task later.
    const voicemail = await postSigned(app, '/webhooks/fallback/recorded', { ...caller, CallSid: other, RecordingSid: 'RE' + 'f'.repeat(32), RecordingUrl: 'https://recordings.example/rec/f' });
    expect(voicemail.status).toBe(200);
    expect(voicemail.text).toContain('We will call you back');

    const queued = await pendingRecordWrites(app.ctx);
    expect(queued).toBeGreaterThanOrEqual(5);

    // The writer starts while PostgreSQL is still down: it must wait, not drop or fail the writes.
    writer = await startRecordWriter(app.ctx);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await pendingRecordWrites(app.ctx)).toBe(queued);

    await startDatabase(app.testDb.name);
    await waitFor('queued writes drained', async () => (await pendingRecordWrites(app.ctx)) === 0);

    const rec = await app.ctx.db.callRecord.findUniqueOrThrow({ where: { callSid }, include: { events: { orderBy: { at: 'asc' } } } });
    expect(rec).toMatchObject({
      status: 'completed',
      direction: 'inbound',
      from: '+12125550123',
      language: 'en',
      intent: 'refill',
      queueName: 'pharmacy',
      durationSec: 65,
      waitSec: 45,
      outcome: 'abandoned',
    });
    expect(rec.startedAt.toISOString()).toBe('2026-11-24T15:00:00.000Z');
    expect(rec.answeredAt?.toISOString()).toBe('2026-11-24T15:00:00.000Z');
    expect(rec.endedAt?.toISOString()).toBe(completedAt.toISOString());
    const keys = rec.events.map((e) => e.key);
    expect(keys.indexOf('node:1')).toBeGreaterThanOrEqual(0);
    expect(keys.indexOf('node:1')).toBeLessThan(keys.indexOf('status:completed'));
    expect(await app.ctx.db.callRecord.count({ where: { callSid: other } })).toBe(1);
    const task = await app.ctx.db.callbackTask.findUniqueOrThrow({ where: { key: `fallback:${other}` } });
    expect(task).toMatchObject({ callSid: other, reason: 'voicemail', recordingSid: 'RE' + 'f'.repeat(32), phone: '+12125550123', status: 'open' });
    expect(task.createdAt).toEqual(completedAt);
  });

  test('a write made after recovery for a call with queued writes waits behind them', async () => {
    const callSid = newCallSid();
    await stopDatabase(app.testDb.name);
    await updateCallRecord(app.ctx, callSid, { disposition: 'first' });
    await startDatabase(app.testDb.name);
    // PostgreSQL answers again, but the first write is still queued: this one must not overtake it.
    await updateCallRecord(app.ctx, callSid, { disposition: 'second' });
    await waitFor('queued writes drained', async () => (await pendingRecordWrites(app.ctx)) === 0);
    const rec = await app.ctx.db.callRecord.findUniqueOrThrow({ where: { callSid } });
    expect(rec.disposition).toBe('second');
  });

  test('a write PostgreSQL refuses, or one that cannot be read, is set aside for an operator; the other writes still land', async () => {
    writer ??= await startRecordWriter(app.ctx);
    const good = newCallSid();
    const bad = newCallSid();
    await updateCallRecord(app.ctx, bad, { patientId: 'no-such-patient' });
    await app.ctx.redis.xadd(RECORD_JOURNAL, '*', 'w', '{not json');
    await updateCallRecord(app.ctx, good, { intent: 'refill' });
    await waitFor('journal drained', async () => (await pendingRecordWrites(app.ctx)) === 0);
    expect(await app.ctx.db.callRecord.findUniqueOrThrow({ where: { callSid: good } })).toMatchObject({ intent: 'refill' });
    const failed = await app.ctx.redis.xrange(FAILED_JOURNAL, '-', '+');
    expect(failed.map(([, fields]) => fields[1])).toContain('{not json');
    const refused = failed.filter(([, fields]) => fields[1] !== '{not json').map(([, fields]) => decodeRecordWrite(fields[1]!));
    expect(refused).toEqual([expect.objectContaining({ kind: 'call', callSid: bad, patch: { patientId: 'no-such-patient' } })]);
  });

  test('with Redis down as well, the write is lost with an error log but the status webhook still answers', async () => {
    const deadRedisUrl = 'redis://127.0.0.1:1';
    const deadRedis = createRedis(deadRedisUrl, 'careline:test:dead:');
    deadRedis.on('error', () => undefined);
    const broken = await startTestApp({
      clock,
      testDb: app.testDb,
      testRedis: { redis: deadRedis, url: deadRedisUrl, prefix: 'careline:test:dead:', close: async () => deadRedis.disconnect() },
      recordWriter: false,
    });
    try {
      await stopDatabase(app.testDb.name);
      const callSid = newCallSid();
      expect(await writeDurably(broken.ctx, { kind: 'call', callSid, patch: { intent: 'billing' }, events: [], at: clock.now() })).toEqual({ fate: 'lost' });
      const res = await postSigned(broken, '/webhooks/status', { CallSid: callSid, AccountSid: app.ctx.config.TWILIO_ACCOUNT_SID, From: '+12125550123', To: '+15550100000', Direction: 'inbound', CallStatus: 'completed' });
      expect(res.status).toBe(200);
      expect(res.text).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    } finally {
      await startDatabase(app.testDb.name);
      broken.server.closeAllConnections();
      await new Promise<void>((r) => broken.server.close(() => r()));
      deadRedis.disconnect();
    }
  });
});
