import request from 'supertest';
import { applyStatusCallback } from '../../src/records/call-status';
import { startCallRecord } from '../../src/records/call-start';
import { appendCallEvent, updateCallRecord } from '../../src/records/call-events';
import { recordsWritten, startTestApp, type TestApp } from '../helpers/app';
import { createAgent, loginAs, type LoggedIn } from '../helpers/staff';
import { createTestRedis } from '../helpers/redis';
import { newCallSid, postSigned } from '../helpers/twilio-request';
import { pendingRecordWrites, startRecordWriter } from '../../src/records/record-journal';
import type { Worker } from '../../src/workers';

// Staff find calls, read and annotate call records; every read and change is audited, agents see
// only their queues' records and never the audit log, and the log cannot be rewritten.

describe('call search, call records and the audit log', () => {
  let app: TestApp;
  let pharmacyAgent: LoggedIn;
  let supervisor: LoggedIn;
  const calls: Array<{ sid: string; queue: string | null; from: string; startedAt: Date }> = [];
  let maria: string;

  async function makeCall(i: number, queue: string | null, from: string, extra: Parameters<typeof updateCallRecord>[2] = {}) {
    const sid = newCallSid();
    const startedAt = new Date(Date.UTC(2026, 10, 20 + Math.floor(i / 3), 14, i));
    await startCallRecord(app.ctx, { callSid: sid, from, to: '+15550100000', direction: 'inbound', at: startedAt });
    await updateCallRecord(app.ctx, sid, { ...(queue ? { queueName: queue, queueEnteredAt: new Date(startedAt.getTime() + 30_000) } : {}), ...extra });
    await appendCallEvent(app.ctx, sid, { key: 'node:1', type: 'node', name: 'menu', at: new Date(startedAt.getTime() + 5000) });
    await applyStatusCallback(app.ctx, { callSid: sid, status: 'completed', durationSec: 120, at: new Date(startedAt.getTime() + 120_000) });
    calls.push({ sid, queue, from, startedAt });
    return sid;
  }

  beforeAll(async () => {
    app = await startTestApp();
    await app.ctx.db.queue.createMany({ data: [
      { name: 'pharmacy', displayName: 'Pharmacy', requiredSkills: ['pharmacy'] },
      { name: 'scheduling', displayName: 'Appointments', requiredSkills: ['scheduling'] },
    ] });
    const pat = await createAgent(app.ctx.db, { email: 'pat@example.org', name: 'Pat Pharmacy', skills: { en: 5, pharmacy: 3 } });
    await createAgent(app.ctx.db, { email: 'sam@example.org', name: 'Sam Scheduling', skills: { en: 5, scheduling: 3 } });
    await createAgent(app.ctx.db, { email: 'sue@example.org', name: 'Sue Supervisor', roles: ['supervisor'] });
    maria = (await app.ctx.db.patient.create({ data: { givenName: 'María', familyName: 'Gómez', birthDate: new Date('1970-03-04') } })).id;
    const other = (await app.ctx.db.patient.create({ data: { givenName: 'John', familyName: 'Smith', birthDate: new Date('1980-01-02') } })).id;
    await makeCall(0, 'pharmacy', '+12125550100', { patientId: maria, verified: true, intent: 'refill', agentId: pat.id, agentAnsweredAt: new Date(Date.UTC(2026, 10, 20, 14, 0, 50)) });
    await makeCall(1, 'scheduling', '+12125550101', { patientId: other, intent: 'appointment' });
    await makeCall(2, 'pharmacy', '+12125550102', { intent: 'refill' });
    await makeCall(3, 'scheduling', '+12125550100', { patientId: maria, intent: 'appointment' });
    await makeCall(4, null, '+12125550104', { intent: 'refill', outcome: 'self_served' });
    await makeCall(5, 'pharmacy', '+12125550105', {});
    await makeCall(6, 'pharmacy', '+12125550106', {});
    pharmacyAgent = await loginAs(app, 'pat@example.org');
    supervisor = await loginAs(app, 'sue@example.org');
    await recordsWritten(app);
  });

  afterAll(async () => {
    await app.close();
  });

  test('a supervisor finds calls by number (any format), patient name, outcome and date range', async () => {
    const byNumber = await supervisor.agent.get('/api/calls').query({ number: '(212) 555-0100' });
    expect(byNumber.status).toBe(200);
    expect(byNumber.body.items.map((c: { callSid: string }) => c.callSid).sort()).toEqual([calls[0].sid, calls[3].sid].sort());

    const byPatient = await supervisor.agent.get('/api/calls').query({ patient: 'gómez' });
    expect(byPatient.body.items).toHaveLength(2);
    expect(byPatient.body.items[0].patient).toEqual({ givenName: 'María', familyName: 'Gómez' });

    const byOutcome = await supervisor.agent.get('/api/calls').query({ outcome: 'self_served' });
    expect(byOutcome.body.items.map((c: { callSid: string }) => c.callSid)).toEqual([calls[4].sid]);

    const byDay = await supervisor.agent.get('/api/calls').query({ from: '2026-11-21', to: '2026-11-21', tz: 'UTC' });
    expect(byDay.body.items.map((c: { callSid: string }) => c.callSid)).toEqual([calls[5].sid, calls[4].sid, calls[3].sid]);

    const byAgent = await supervisor.agent.get('/api/calls').query({ agentId: pharmacyAgent.agentId });
    expect(byAgent.body.items).toHaveLength(1);
    expect(byAgent.body.items[0].agentName).toBe('Pat Pharmacy');
  });

  test('pages: newest first, a cursor to the next page, no call twice, at most 100 a page', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: request.Response = await supervisor.agent.get('/api/calls').query({ limit: 3, ...(cursor ? { cursor } : {}) });
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(3);
      seen.push(...res.body.items.map((c: { callSid: string }) => c.callSid));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([...calls].sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime()).map((c) => c.sid));
    expect((await supervisor.agent.get('/api/calls').query({ limit: 101 })).status).toBe(400);
    expect((await supervisor.agent.get('/api/calls').query({ cursor: 'nonsense' })).status).toBe(400);
  });

  test("an agent sees only their queues' records: search is scoped and another queue's record is 403", async () => {
    const res = await pharmacyAgent.agent.get('/api/calls').query({ limit: 100 });
    expect(res.status).toBe(200);
    const expected = calls.filter((c) => c.queue === 'pharmacy').map((c) => c.sid).sort();
    expect(res.body.items.map((c: { callSid: string }) => c.callSid).sort()).toEqual(expected);

    const scheduling = calls.find((c) => c.queue === 'scheduling')!.sid;
    const denied = await pharmacyAgent.agent.get(`/api/call-records/${scheduling}`);
    expect(denied.status).toBe(403);
    expect(JSON.stringify(denied.body)).not.toContain('+1212');
    // Searching for it directly finds nothing either.
    const byNumber = await pharmacyAgent.agent.get('/api/calls').query({ number: '+12125550101' });
    expect(byNumber.body.items).toEqual([]);

    const own = await pharmacyAgent.agent.get(`/api/call-records/${calls[0].sid}`);
    expect(own.status).toBe(200);
    expect(own.body.events.map((e: { key: string }) => e.key)).toEqual(['node:1', 'status:completed']);
    expect(own.body).toMatchObject({ callSid: calls[0].sid, queueName: 'pharmacy', waitSec: 20, outcome: 'answered' });
  });

  test('an agent can never read the audit log', async () => {
    const res = await pharmacyAgent.agent.get('/api/audit');
    expect(res.status).toBe(403);
    expect(res.body.items).toBeUndefined();
  });

  test('every read and change is audited with who, what, when and from where; note text stays out of the log', async () => {
    const sid = calls[2].sid;
    const before = new Date();
    const read = await pharmacyAgent.agent.get(`/api/call-records/${sid}`);
    expect(read.status).toBe(200);
    const noCsrf = await pharmacyAgent.agent.patch(`/api/call-records/${sid}`).send({ notes: 'x' });
    expect(noCsrf.status).toBe(403);
    const patch = await pharmacyAgent.agent.patch(`/api/call-records/${sid}`).set('X-CSRF-Token', pharmacyAgent.csrf).send({ disposition: 'resolved', notes: 'Patient asked about a refill of lisinopril' });
    expect(patch.status).toBe(200);
    expect(patch.body).toEqual({ callSid: sid, disposition: 'resolved', notes: 'Patient asked about a refill of lisinopril' });

    const log = await supervisor.agent.get('/api/audit').query({ entityId: sid });
    expect(log.status).toBe(200);
    const mine = log.body.items.filter((e: { actorId: string; at: string; detail: { via?: string } | null }) => e.actorId === pharmacyAgent.agentId && new Date(e.at) >= new Date(before.getTime() - 1000) && e.detail?.via !== 'search');
    expect(mine.map((e: { action: string }) => e.action)).toEqual(['update', 'read']);
    for (const e of mine) {
      expect(e).toMatchObject({ actorType: 'agent', entity: 'call_record', entityId: sid });
      expect(e.ip).toMatch(/127\.0\.0\.1/);
    }
    expect(mine[0].detail).toEqual({ fields: ['disposition', 'notes'] });
    expect(JSON.stringify(log.body)).not.toContain('lisinopril');

    // The denied read of another queue's record is in the log too.
    const denied = await supervisor.agent.get('/api/audit').query({ actorId: pharmacyAgent.agentId, action: 'denied' });
    expect(denied.body.items.length).toBeGreaterThanOrEqual(1);

    // A search audits each record it returned, with its patient.
    const searchedBefore = await app.ctx.db.auditEntry.count({ where: { patientId: maria, actorId: supervisor.agentId } });
    await supervisor.agent.get('/api/calls').query({ patientId: maria });
    expect(await app.ctx.db.auditEntry.count({ where: { patientId: maria, actorId: supervisor.agentId } })).toBe(searchedBefore + 2);
  });

  test('the audit log is append-only in the database itself', async () => {
    await expect(app.ctx.db.auditEntry.updateMany({ data: { action: 'nothing' } })).rejects.toThrow(/append-only/);
    await expect(app.ctx.db.auditEntry.deleteMany({})).rejects.toThrow(/append-only/);
    await expect(app.ctx.db.$executeRawUnsafe('TRUNCATE "AuditEntry"')).rejects.toThrow(/append-only/);
    expect(await app.ctx.db.auditEntry.count()).toBeGreaterThan(0);
  });

  test('a supervisor reading calls right after their webhooks sees them (the read waits for the journal)', async () => {
    // An app of its own whose record writer starts late, so the webhook's write is still journaled
    // when the supervisor asks.
    const testRedis = await createTestRedis();
    const quiet = await startTestApp({ testDb: app.testDb, testRedis, recordWriter: false });
    let writer: Worker | undefined;
    try {
      const sue = await loginAs(quiet, 'sue@example.org');
      const sid = newCallSid();
      const hook = await postSigned(quiet, '/webhooks/status', { AccountSid: quiet.ctx.config.TWILIO_ACCOUNT_SID, CallSid: sid, From: '+12125550177', To: '+15550100000', Direction: 'inbound', CallStatus: 'completed', CallDuration: '30' });
      expect(hook.status).toBe(200);
      expect(await pendingRecordWrites(quiet.ctx)).toBe(1);
      const read = sue.agent.get(`/api/call-records/${sid}`).then((r) => r);
      const search = sue.agent.get('/api/calls').query({ number: '2125550177' }).then((r) => r);
      await new Promise((r) => setTimeout(r, 300));
      writer = await startRecordWriter(quiet.ctx);
      expect((await read).status).toBe(200);
      expect((await read).body).toMatchObject({ callSid: sid, status: 'completed', durationSec: 30 });
      expect((await search).body.items.map((c: { callSid: string }) => c.callSid)).toEqual([sid]);
    } finally {
      await writer?.close();
      await quiet.close();
    }
  });

  test('the audit log pages with a cursor', async () => {
    const first = await supervisor.agent.get('/api/audit').query({ limit: 2 });
    expect(first.body.items).toHaveLength(2);
    const second = await supervisor.agent.get('/api/audit').query({ limit: 2, cursor: first.body.nextCursor });
    expect(second.status).toBe(200);
    const ids = [...first.body.items, ...second.body.items].map((e: { id: string }) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
