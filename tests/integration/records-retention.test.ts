import { Queue } from 'bullmq';
import { createBlockingRedis } from '../../src/db/redis';
import { RETENTION_QUEUE, purgeExpiredRecords, startRetentionWorker } from '../../src/records/retention';
import { recordsWritten, startTestApp, type TestApp } from '../helpers/app';
import { newCallSid } from '../helpers/twilio-request';
import { TwilioSim } from '../../src/sim';
import { createTwilioRest } from '../../src/telephony/twilio-rest';

// Recording references and notes older than RECORDS_RETENTION_DAYS are purged by a scheduled job;
// the purge itself is audited, and newer data is untouched.

describe('retention purge', () => {
  const now = new Date('2026-11-24T12:00:00Z');
  const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000);
  let app: TestApp;
  let sim: TwilioSim;
  const recording = (sid: string, callSid: string) => sim.recordings.set(sid, { sid, callSid, durationSec: 20, dateCreated: daysAgo(31) });
  beforeAll(async () => {
    app = await startTestApp({ env: { RECORDS_RETENTION_DAYS: '30' }, clock: { now: () => now } });
    // The recordings live at (the local) Twilio.
    sim = new TwilioSim({ baseUrl: 'http://127.0.0.1:9', accountSid: app.ctx.config.TWILIO_ACCOUNT_SID, authToken: app.ctx.config.TWILIO_AUTH_TOKEN });
    app.ctx.twilio = createTwilioRest({ ...app.ctx.config, TWILIO_API_URL: await sim.listen() });
  });
  afterAll(async () => {
    await sim.close();
    await app.close();
  });

  test('purges recordings and notes past the period, audits each purged record, keeps the rest', async () => {
    const oldSid = newCallSid();
    const newSid = newCallSid();
    const patient = await app.ctx.db.patient.create({ data: { givenName: 'Old', familyName: 'Caller', birthDate: new Date('1950-05-05') } });
    await app.ctx.db.callRecord.create({ data: { callSid: oldSid, direction: 'inbound', startedAt: daysAgo(31), patientId: patient.id, recordingSid: 'RE' + 'a'.repeat(32), recordingUrl: 'https://recordings.example/rec/1', notes: 'old note', outcome: 'voicemail', waitSec: 40 } });
    await app.ctx.db.callRecord.create({ data: { callSid: newSid, direction: 'inbound', startedAt: daysAgo(29), recordingSid: 'RE' + 'b'.repeat(32), notes: 'recent note' } });
    await app.ctx.db.callEvent.create({ data: { callSid: oldSid, key: 'note:1', type: 'note', at: daysAgo(31), detail: { text: 'old' } } });
    await app.ctx.db.callEvent.create({ data: { callSid: oldSid, key: 'node:1', type: 'node', at: daysAgo(31) } });
    const task = await app.ctx.db.callbackTask.create({ data: { key: 'old-task', phone: '+12125550100', reason: 'voicemail', dueAt: daysAgo(30), createdAt: daysAgo(31), recordingSid: 'RE' + 'c'.repeat(32), notes: 'call back' } });
    recording('RE' + 'a'.repeat(32), oldSid);
    recording('RE' + 'b'.repeat(32), newSid);
    // the task's recording ('c') is gone from Twilio already: that counts as deleted

    const result = await purgeExpiredRecords(app.ctx);
    expect(result).toEqual({ cutoff: daysAgo(30), callRecords: 1, callbackTasks: 1, noteEvents: 1, recordingsDeleted: 2, recordingsKept: 0 });
    expect([...sim.recordings.keys()]).toEqual(['RE' + 'b'.repeat(32)]);

    await recordsWritten(app);
    const old = await app.ctx.db.callRecord.findUniqueOrThrow({ where: { callSid: oldSid } });
    expect(old).toMatchObject({ recordingSid: null, recordingUrl: null, notes: null, outcome: 'voicemail', waitSec: 40 });
    expect(await app.ctx.db.callRecord.findUniqueOrThrow({ where: { callSid: newSid } })).toMatchObject({ recordingSid: 'RE' + 'b'.repeat(32), notes: 'recent note' });
    expect(await app.ctx.db.callbackTask.findUniqueOrThrow({ where: { id: task.id } })).toMatchObject({ recordingSid: null, notes: null });
    expect((await app.ctx.db.callEvent.findMany({ where: { callSid: oldSid } })).map((e) => e.key)).toEqual(['node:1']);

    const entries = await app.ctx.db.auditEntry.findMany({ where: { action: 'purge' }, orderBy: { at: 'asc' } });
    expect(entries.map((e) => [e.actorType, e.entity, e.entityId])).toEqual(
      expect.arrayContaining([
        ['system', 'call_record', oldSid],
        ['system', 'callback_task', task.id],
        ['system', 'call_event', null],
        ['system', 'retention_run', null],
      ]),
    );
    expect(entries.find((e) => e.entityId === oldSid)?.patientId).toBe(patient.id);
    expect(JSON.stringify(entries)).not.toContain('old note');

    // Nothing left: a second run purges nothing (and says so in the log).
    expect(await purgeExpiredRecords(app.ctx)).toEqual({ cutoff: daysAgo(30), callRecords: 0, callbackTasks: 0, noteEvents: 0, recordingsDeleted: 0, recordingsKept: 0 });
    expect(await app.ctx.db.auditEntry.count({ where: { entity: 'retention_run' } })).toBe(2);
  });

  test('a recording Twilio will not delete (5xx) keeps its record untouched until a later run deletes it', async () => {
    const callSid = newCallSid();
    const sid = 'RE' + 'd'.repeat(32);
    await app.ctx.db.callRecord.create({ data: { callSid, direction: 'inbound', startedAt: daysAgo(40), recordingSid: sid, notes: 'keep me for now' } });
    recording(sid, callSid);
    sim.failNext('DELETE', /\/Recordings\//, 503);

    expect(await purgeExpiredRecords(app.ctx)).toMatchObject({ callRecords: 0, recordingsDeleted: 0, recordingsKept: 1 });
    expect(await app.ctx.db.callRecord.findUniqueOrThrow({ where: { callSid } })).toMatchObject({ recordingSid: sid, notes: 'keep me for now' });
    expect(sim.recordings.has(sid)).toBe(true);

    expect(await purgeExpiredRecords(app.ctx)).toMatchObject({ callRecords: 1, recordingsDeleted: 1, recordingsKept: 0 });
    expect(await app.ctx.db.callRecord.findUniqueOrThrow({ where: { callSid } })).toMatchObject({ recordingSid: null, notes: null });
    expect(sim.recordings.has(sid)).toBe(false);
  });

  test('the purge is scheduled daily as one BullMQ job scheduler, however many workers start', async () => {
    const w1 = await startRetentionWorker(app.ctx);
    const w2 = await startRetentionWorker(app.ctx);
    const connection = createBlockingRedis(app.ctx.redisUrl);
    const queue = new Queue(RETENTION_QUEUE, { connection, prefix: app.ctx.redisPrefix + 'bull' });
    try {
      const schedulers = await queue.getJobSchedulers();
      expect(schedulers.map((s) => [s.key, s.pattern, s.tz])).toEqual([['records-retention-daily', '15 3 * * *', 'America/New_York']]);
    } finally {
      await queue.close();
      connection.disconnect();
      await w1.close();
      await w2.close();
    }
  });
});
