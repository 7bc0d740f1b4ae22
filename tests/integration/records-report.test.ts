import { DateTime } from 'luxon';
import { Client } from 'pg';
import { recordWrapUpEnd, updateCallRecord } from '../../src/records/call-events';
import { recordCallbackTask } from '../../src/records/callback-task-write';
import { pendingRecordWrites } from '../../src/records/record-journal';
import { recordsWritten, startTestApp, type TestApp } from '../helpers/app';
import { TEST_DATABASE_URL } from '../helpers/env';
import { createAgent, loginAs } from '../helpers/staff';
import { newCallSid, postSigned } from '../helpers/twilio-request';

// A known day at the practice (Tuesday 24 November 2026, New York), built through signed webhooks
// (Voice URL and status callbacks, some late, repeated and out of order) and the record writes the
// IVR and routing make, with PostgreSQL down during one call. Every figure of the report is
// checked against the definitions in the README ("Report figures").

const TZ = 'America/New_York';
const local = (hhmmss: string, day = '2026-11-24') => DateTime.fromISO(`${day}T${hhmmss}`, { zone: TZ }).toJSDate();
const rfc = (d: Date) => d.toUTCString().replace('GMT', '+0000');

const clock = { t: local('08:00:00'), now() { return new Date(this.t); } };

async function setDbConnections(name: string, allow: boolean): Promise<void> {
  const c = new Client({ connectionString: TEST_DATABASE_URL });
  await c.connect();
  await c.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS ${allow}`);
  if (!allow) await c.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, [name]);
  await c.end();
}

describe('the supervisor report over a known day of calls', () => {
  let app: TestApp;
  let a1: string;
  let a2: string;
  const sids: Record<string, string> = {};

  const caller = (n: string) => ({ AccountSid: 'AC' + 'a'.repeat(32), From: `+1212555${n}`, To: '+15550100000', Direction: 'inbound' });

  async function ring(name: string, at: string, n: string): Promise<string> {
    const sid = newCallSid();
    sids[name] = sid;
    clock.t = local(at);
    const res = await postSigned(app, '/webhooks/voice', { ...caller(n), CallSid: sid, CallStatus: 'ringing' });
    expect(res.status).toBe(200);
    return sid;
  }

  async function status(sid: string, n: string, callStatus: string, at: Date, durationSec?: number): Promise<void> {
    const res = await postSigned(app, '/webhooks/status', {
      ...caller(n), CallSid: sid, CallStatus: callStatus, Timestamp: rfc(at), ...(durationSec !== undefined ? { CallDuration: String(durationSec) } : {}),
    });
    expect(res.status).toBe(200);
  }

  async function queued(sid: string, queue: string, intent: string, at: string): Promise<void> {
    clock.t = local(at);
    await updateCallRecord(app.ctx, sid, { intent, language: 'en', ivrEndedAt: clock.now(), queueName: queue, queueEnteredAt: clock.now() });
  }

  async function answeredBy(sid: string, agentId: string, at: string): Promise<void> {
    clock.t = local(at);
    await updateCallRecord(app.ctx, sid, { agentId, agentAnsweredAt: clock.now(), queueExitedAt: clock.now() });
  }

  async function hangUp(sid: string, n: string, start: string, end: string): Promise<void> {
    await status(sid, n, 'completed', local(end), (local(end).getTime() - local(start).getTime()) / 1000);
  }

  beforeAll(async () => {
    app = await startTestApp({ clock });
    a1 = (await createAgent(app.ctx.db, { email: 'ana@example.org', name: 'Ana Alvarez', skills: { en: 5, pharmacy: 3 } })).id;
    a2 = (await createAgent(app.ctx.db, { email: 'ben@example.org', name: 'Ben Brooks', skills: { en: 5, scheduling: 3 } })).id;
    await createAgent(app.ctx.db, { email: 'sue@example.org', name: 'Sue Supervisor', roles: ['supervisor'] });

    // A 09:05 refill: answered by Ana after 10 s, 4 min talk, 1 min wrap-up.
    const A = await ring('A', '09:05:00', '0101');
    await queued(A, 'pharmacy', 'refill', '09:06:00');
    await answeredBy(A, a1, '09:06:10');
    // Ana's browser leg is a child call: part of A, never a call of its own in the report.
    await postSigned(app, '/webhooks/status', { AccountSid: 'AC' + 'a'.repeat(32), CallSid: newCallSid(), ParentCallSid: A, From: '+15550100000', To: `client:agent_${a1}`, Direction: 'outbound-dial', CallStatus: 'completed', CallDuration: '240', Timestamp: rfc(local('09:10:10')) });
    await hangUp(A, '0101', '09:05:00', '09:10:10');
    await recordWrapUpEnd(app.ctx, A, a1, local('09:11:10'));

    // B 09:20 appointment: answered by Ben after 45 s; status callbacks arrive late, twice, out of order.
    const B = await ring('B', '09:20:00', '0102');
    await queued(B, 'scheduling', 'appointment', '09:21:00');
    await answeredBy(B, a2, '09:21:45');
    await hangUp(B, '0102', '09:20:00', '09:25:45');
    await status(B, '0102', 'ringing', local('09:20:00'));
    await status(B, '0102', 'in-progress', local('09:20:01'));
    await hangUp(B, '0102', '09:20:00', '09:25:45');

    // C 10:02 refill: hangs up 3 s after entering the queue (a short abandon).
    const C = await ring('C', '10:02:00', '0103');
    await queued(C, 'pharmacy', 'refill', '10:03:00');
    await hangUp(C, '0103', '10:02:00', '10:03:03');

    // D 10:15 billing: gives up after 60 s in the queue.
    const D = await ring('D', '10:15:00', '0104');
    await queued(D, 'billing', 'billing', '10:16:00');
    await hangUp(D, '0104', '10:15:00', '10:17:00');

    // E 10:30 refill done in the IVR.
    const E = await ring('E', '10:30:00', '0105');
    clock.t = local('10:32:00');
    await updateCallRecord(app.ctx, E, { intent: 'refill', language: 'en', outcome: 'self_served' });
    await hangUp(E, '0105', '10:30:00', '10:33:00');

    // F 11:00 appointment done in the IVR while PostgreSQL is down.
    await setDbConnections(app.testDb.name, false);
    const F = await ring('F', '11:00:00', '0106');
    clock.t = local('11:02:00');
    await updateCallRecord(app.ctx, F, { intent: 'appointment', language: 'es', outcome: 'self_served' });
    await hangUp(F, '0106', '11:00:00', '11:04:00');
    expect(await pendingRecordWrites(app.ctx)).toBeGreaterThanOrEqual(3);
    await setDbConnections(app.testDb.name, true);
    await recordsWritten(app);

    // G 11:40 clinical: leaves the queue for voicemail after 2 min; a callback task follows.
    const G = await ring('G', '11:40:00', '0107');
    await queued(G, 'clinical', 'clinical', '11:41:00');
    clock.t = local('11:43:00');
    await updateCallRecord(app.ctx, G, { queueExitedAt: clock.now(), outcome: 'voicemail', recordingSid: 'RE' + '1'.repeat(32) });
    await recordCallbackTask(app.ctx, { key: `voicemail:${G}`, callSid: G, phone: '+12125550107', reason: 'voicemail', queueName: 'clinical' });
    await hangUp(G, '0107', '11:40:00', '11:44:00');

    // H 13:10 refill: Ana answers after 20 s, 4 min talk, 30 s wrap-up.
    const H = await ring('H', '13:10:00', '0108');
    await queued(H, 'pharmacy', 'refill', '13:11:00');
    await answeredBy(H, a1, '13:11:20');
    await hangUp(H, '0108', '13:10:00', '13:15:20');
    await recordWrapUpEnd(app.ctx, H, a1, local('13:15:50'));

    // I 14:00 operator: hangs up after 20 s in the queue (abandoned, but within the threshold).
    const I = await ring('I', '14:00:00', '0109');
    await queued(I, 'general', 'operator', '14:01:00');
    await hangUp(I, '0109', '14:00:00', '14:01:20');

    // J 15:00: hangs up in the IVR before choosing anything.
    const J = await ring('J', '15:00:00', '0110');
    await hangUp(J, '0110', '15:00:00', '15:00:30');

    // An after-hours callback task from 08:00, done the next morning (within its SLA).
    clock.t = local('08:00:00');
    await recordCallbackTask(app.ctx, { key: 'after-hours-0800', phone: '+12125550111', reason: 'after_hours' });
    await recordsWritten(app);
    await app.ctx.db.callbackTask.update({ where: { key: 'after-hours-0800' }, data: { status: 'done', completedAt: local('10:00:00', '2026-11-25') } });

    // 16:00 a reminder call (outbound), and the campaign it belongs to.
    const R = newCallSid();
    sids.R = R;
    await postSigned(app, '/webhooks/status', { AccountSid: 'AC' + 'a'.repeat(32), CallSid: R, From: '+15550100000', To: '+12125550112', Direction: 'outbound-api', CallStatus: 'completed', CallDuration: '50', Timestamp: rfc(local('16:00:50')) });
    await updateCallRecord(app.ctx, R, { outcome: 'reminder_confirmed' });
    const patient = await app.ctx.db.patient.create({ data: { givenName: 'Test', familyName: 'Patient', birthDate: new Date('1960-01-01') } });
    const campaign = await app.ctx.db.campaign.create({ data: { kind: 'refill', name: 'Refill reminders', quietDays: [] } });
    const ok = await app.ctx.db.reminder.create({ data: { key: 'r-ok', campaignId: campaign.id, patientId: patient.id, phone: '+12125550112', timeZone: TZ, status: 'completed', outcome: 'confirmed' } });
    const failed = await app.ctx.db.reminder.create({ data: { key: 'r-failed', campaignId: campaign.id, patientId: patient.id, phone: '+12125550113', timeZone: TZ, status: 'failed' } });
    await app.ctx.db.reminderAttempt.createMany({ data: [
      { reminderId: ok.id, attempt: 1, callSid: R, status: 'confirmed', createdAt: local('16:00:00') },
      { reminderId: failed.id, attempt: 1, status: 'no-answer', createdAt: local('16:05:00') },
      { reminderId: failed.id, attempt: 2, status: 'no-answer', createdAt: local('17:05:00') },
    ] });

    // The report is read on Thursday at noon: G's callback (due Wednesday) is overdue by then.
    clock.t = local('12:00:00', '2026-11-26');
    await recordsWritten(app);
  });

  afterAll(async () => {
    await app.close();
  });

  test('every call record is complete, whatever order its writes came in', async () => {
    const B = await app.ctx.db.callRecord.findUniqueOrThrow({ where: { callSid: sids.B } });
    expect(B).toMatchObject({ status: 'completed', direction: 'inbound', from: '+12125550102', intent: 'appointment', queueName: 'scheduling', agentId: a2, waitSec: 45, handleSec: 240, durationSec: 345, outcome: 'answered' });
    expect(B.startedAt).toEqual(local('09:20:00'));
    expect(B.answeredAt).toEqual(local('09:20:01'));
    expect(B.endedAt).toEqual(local('09:25:45'));
    const F = await app.ctx.db.callRecord.findUniqueOrThrow({ where: { callSid: sids.F } });
    expect(F).toMatchObject({ status: 'completed', from: '+12125550106', intent: 'appointment', language: 'es', outcome: 'self_served', durationSec: 240 });
    expect(F.startedAt).toEqual(local('11:00:00'));
    const A = await app.ctx.db.callRecord.findUniqueOrThrow({ where: { callSid: sids.A } });
    expect(A).toMatchObject({ waitSec: 10, handleSec: 300, outcome: 'answered' });
    expect(await app.ctx.db.callRecord.findUniqueOrThrow({ where: { callSid: sids.C } })).toMatchObject({ waitSec: 3, outcome: 'abandoned' });
    expect(await app.ctx.db.callRecord.findUniqueOrThrow({ where: { callSid: sids.G } })).toMatchObject({ waitSec: 120, outcome: 'voicemail' });
    expect(await app.ctx.db.callRecord.findUniqueOrThrow({ where: { callSid: sids.J } })).toMatchObject({ outcome: 'ivr_hangup' });
  });

  test('GET /api/reports gives every figure exactly', async () => {
    const sue = await loginAs(app, 'sue@example.org');
    const res = await sue.agent.get('/api/reports?from=2026-11-24&to=2026-11-24');
    expect(res.status).toBe(200);
    const r = res.body;
    expect(r.range).toEqual({ from: '2026-11-24T05:00:00.000Z', to: '2026-11-25T05:00:00.000Z', tz: TZ });
    expect(r.thresholdSec).toBe(30);
    expect(r.totals).toEqual({
      inbound: 10, outbound: 1, queued: 7, offered: 6, answered: 3, answeredWithinThreshold: 2, abandoned: 2, abandonedAfterThreshold: 1,
      shortAbandoned: 1, deflected: 1, selfServed: 2,
      serviceLevelPct: 50, averageSpeedOfAnswerSec: 25, abandonmentRatePct: 33.3, averageHandleTimeSec: 270, selfServiceRatePct: 20,
      // no hold or transfers on this day; each answered call had the caller and one agent
      averageHoldSec: 0, held: 0, heldPct: 0, transferred: 0, transferRatePct: 0, averageParticipants: 2,
    });
    const hours = Object.fromEntries(r.perHour.filter((h: { inbound: number; outbound: number }) => h.inbound + h.outbound > 0).map((h: { hour: number }) => [h.hour, h]));
    expect(hours).toEqual({
      9: { hour: 9, inbound: 2, outbound: 0, answered: 2, abandoned: 0 },
      10: { hour: 10, inbound: 3, outbound: 0, answered: 0, abandoned: 1 },
      11: { hour: 11, inbound: 2, outbound: 0, answered: 0, abandoned: 0 },
      13: { hour: 13, inbound: 1, outbound: 0, answered: 1, abandoned: 0 },
      14: { hour: 14, inbound: 1, outbound: 0, answered: 0, abandoned: 1 },
      15: { hour: 15, inbound: 1, outbound: 0, answered: 0, abandoned: 0 },
      16: { hour: 16, inbound: 0, outbound: 1, answered: 0, abandoned: 0 },
    });
    expect(r.perIntent).toEqual([
      { intent: 'appointment', calls: 2, selfServed: 1, selfServiceRatePct: 50, answered: 1, abandoned: 0, deflected: 0 },
      { intent: 'billing', calls: 1, selfServed: 0, selfServiceRatePct: 0, answered: 0, abandoned: 1, deflected: 0 },
      { intent: 'clinical', calls: 1, selfServed: 0, selfServiceRatePct: 0, answered: 0, abandoned: 0, deflected: 1 },
      { intent: 'none', calls: 1, selfServed: 0, selfServiceRatePct: 0, answered: 0, abandoned: 0, deflected: 0 },
      { intent: 'operator', calls: 1, selfServed: 0, selfServiceRatePct: 0, answered: 0, abandoned: 1, deflected: 0 },
      { intent: 'refill', calls: 4, selfServed: 1, selfServiceRatePct: 25, answered: 2, abandoned: 0, deflected: 0 },
    ]);
    expect(r.perAgent).toEqual([
      { agentId: a1, name: 'Ana Alvarez', answered: 2, averageSpeedOfAnswerSec: 15, averageHandleTimeSec: 285, totalHandleSec: 570, averageHoldSec: 0, held: 0, heldPct: 0, transferred: 0, transferRatePct: 0, averageParticipants: 2 },
      { agentId: a2, name: 'Ben Brooks', answered: 1, averageSpeedOfAnswerSec: 45, averageHandleTimeSec: 240, totalHandleSec: 240, averageHoldSec: 0, held: 0, heldPct: 0, transferred: 0, transferRatePct: 0, averageParticipants: 2 },
    ]);
    const { tasks, ...callbacks } = r.callbacks;
    expect(callbacks).toEqual({ created: 2, open: 1, done: 1, cancelled: 0, doneWithinSla: 1, doneLate: 0, overdue: 1, slaMetPct: 50 });
    expect(tasks.map((t: { reason: string; overdue: boolean; dueAt: string }) => [t.reason, t.overdue, t.dueAt])).toEqual([
      ['after_hours', false, local('17:00:00', '2026-11-25').toISOString()],
      ['voicemail', true, local('17:00:00', '2026-11-25').toISOString()],
    ]);
    expect(r.campaigns).toEqual([{ campaignId: expect.any(String), name: 'Refill reminders', kind: 'refill', reminders: 2, attempts: 3, outcomes: { confirmed: 1, failed: 1 } }]);
  });

  test('the threshold is configurable per request', async () => {
    const sue = await loginAs(app, 'sue@example.org');
    const r = (await sue.agent.get('/api/reports?from=2026-11-24&threshold=60')).body;
    expect(r.thresholdSec).toBe(60);
    expect(r.totals).toMatchObject({ answeredWithinThreshold: 3, abandonedAfterThreshold: 0, serviceLevelPct: 100 });
  });

  test('GET /api/reports.csv carries the same figures', async () => {
    const sue = await loginAs(app, 'sue@example.org');
    const res = await sue.agent.get('/api/reports.csv?from=2026-11-24&to=2026-11-24');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toContain('careline-report-2026-11-24.csv');
    const lines = res.text.split('\r\n');
    for (const l of ['summary,service_level_pct,50', 'summary,average_speed_of_answer_sec,25', 'summary,abandonment_rate_pct,33.3', 'summary,average_handle_time_sec,270', 'summary,self_service_rate_pct,20', 'summary,callbacks_overdue,1', 'hour,9,2,0,2,0', 'intent,refill,4,1,25,2,0,0', `agent,${a1},Ana Alvarez,2,15,285,570,0,0,0,2`]) {
      expect(lines).toContain(l);
    }
  });

  test('reports are for supervisors: an agent gets 403, no session 401', async () => {
    const ana = await loginAs(app, 'ana@example.org');
    expect((await ana.agent.get('/api/reports')).status).toBe(403);
    expect((await ana.agent.get('/api/reports.csv')).status).toBe(403);
    const { default: request } = await import('supertest');
    expect((await request(app.server).get('/api/reports')).status).toBe(401);
  });
});
