import { DateTime } from 'luxon';
import { appendCallEvent, updateCallRecord } from '../../src/records/call-events';
import { onConferenceEvent } from '../../src/routing/conference-events';
import { conferenceName, openConversation, setConversation } from '../../src/routing/conversation';
import { recordsWritten, startTestApp, type TestApp } from '../helpers/app';
import { createAgent, loginAs } from '../helpers/staff';
import { newCallSid, postSigned } from '../helpers/twilio-request';

// Conference calls on a known day (Tuesday 24 November 2026, New York): hold, transfers, outside
// parties, interpreters and a monitoring supervisor, written as careline writes them: the caller's
// hold through the conference status callbacks (onConferenceEvent, which keeps holdSec/holdCount),
// the agent answer, transfer, participant and monitor events with the keys and details routing
// uses (src/routing/handling.ts, consult.ts, live-call.ts, participants.ts, monitor.ts). The hold,
// transfer and participant figures are checked against the README ("Report figures").

const TZ = 'America/New_York';
const local = (hhmmss: string, day = '2026-11-24') => DateTime.fromISO(`${day}T${hhmmss}`, { zone: TZ }).toJSDate();
const rfc = (d: Date) => d.toUTCString().replace('GMT', '+0000');
const clock = { t: local('08:00:00'), now() { return new Date(this.t); } };

const NEW_FIGURES = ['averageHoldSec', 'held', 'heldPct', 'transferred', 'transferRatePct', 'averageParticipants'] as const;
const pick = (o: Record<string, unknown>) => Object.fromEntries(NEW_FIGURES.map((k) => [k, o[k]]));

describe('hold, transfer and participant figures of conference calls', () => {
  let app: TestApp;
  let ana: string;
  let ben: string;
  let cal: string;
  let sue: string;
  const sids: Record<string, string> = {};
  const caller = (n: string) => ({ AccountSid: 'AC' + 'a'.repeat(32), From: `+1212555${n}`, To: '+15550100000', Direction: 'inbound' });

  async function ring(name: string, at: string, n: string): Promise<string> {
    const sid = newCallSid();
    sids[name] = sid;
    clock.t = local(at);
    expect((await postSigned(app, '/webhooks/voice', { ...caller(n), CallSid: sid, CallStatus: 'ringing' })).status).toBe(200);
    return sid;
  }

  async function hangUp(sid: string, n: string, start: string, end: string): Promise<void> {
    const res = await postSigned(app, '/webhooks/status', { ...caller(n), CallSid: sid, CallStatus: 'completed', Timestamp: rfc(local(end)), CallDuration: String((local(end).getTime() - local(start).getTime()) / 1000) });
    expect(res.status).toBe(200);
  }

  async function queued(sid: string, taskId: string, at: string): Promise<void> {
    clock.t = local(at);
    await updateCallRecord(app.ctx, sid, { intent: 'refill', language: 'en', ivrEndedAt: clock.now(), queueName: 'pharmacy', queueEnteredAt: clock.now() });
    await openConversation(app.ctx, { name: conferenceName(taskId), taskId, callerSid: sid, language: 'en', queue: 'pharmacy' });
  }

  /** Twilio says the agent's leg joined: the conversation is the agent's, and routing's stamp (handling.ts). */
  async function answered(sid: string, taskId: string, agentId: string, at: string): Promise<void> {
    clock.t = local(at);
    await setConversation(app.ctx, conferenceName(taskId.split('~')[0]), { agentId, agentLeg: newCallSid() });
    await updateCallRecord(app.ctx, sid, { agentId, agentAnsweredAt: clock.now(), queueExitedAt: clock.now(), queueName: 'pharmacy' });
    await appendCallEvent(app.ctx, sid, { key: `agent-answered:${taskId}:${agentId}`, type: 'agent', name: 'answered', detail: { agentId, taskId }, at: clock.now() });
  }

  /** The caller's hold, as the conference status callback reports it. */
  async function held(sid: string, taskId: string, from: string, to: string): Promise<void> {
    clock.t = local(from);
    await onConferenceEvent(app.ctx, conferenceName(taskId), { event: 'participant-hold', callSid: sid, hold: true });
    clock.t = local(to);
    await onConferenceEvent(app.ctx, conferenceName(taskId), { event: 'participant-unhold', callSid: sid, hold: false });
  }

  async function event(sid: string, at: string, key: string, type: string, name: string, detail: Record<string, unknown>): Promise<void> {
    clock.t = local(at);
    await appendCallEvent(app.ctx, sid, { key, type, name, detail });
  }

  beforeAll(async () => {
    app = await startTestApp({ clock });
    ana = (await createAgent(app.ctx.db, { email: 'ana@example.org', name: 'Ana Alvarez', skills: { en: 5, pharmacy: 3 } })).id;
    ben = (await createAgent(app.ctx.db, { email: 'ben@example.org', name: 'Ben Brooks', skills: { en: 5, pharmacy: 3 } })).id;
    cal = (await createAgent(app.ctx.db, { email: 'cal@example.org', name: 'Cal Chen', skills: { en: 5, pharmacy: 3 } })).id;
    sue = (await createAgent(app.ctx.db, { email: 'sue@example.org', name: 'Sue Supervisor', roles: ['supervisor'] })).id;

    // K 09:00: Ana answers, holds the caller twice (30 s, 45 s), adds an interpreter and removes
    // them; Sue listens in for a minute. Parties: caller, Ana, interpreter = 3.
    const K = await ring('K', '09:00:00', '0201');
    await queued(K, 'tK', '09:01:00');
    await answered(K, 'tK', ana, '09:01:20');
    await held(K, 'tK', '09:02:00', '09:02:30');
    await held(K, 'tK', '09:04:00', '09:04:45');
    await event(K, '09:05:00', 'party-add:interpreter-1', 'agent', 'participant_added', { agentId: ana, role: 'interpreter', participantId: 'interpreter-1' });
    await event(K, '09:05:00', 'party-add:interpreter-1', 'agent', 'participant_added', { agentId: ana, role: 'interpreter', participantId: 'interpreter-1' }); // a retried request
    await event(K, '09:06:00', 'monitor:sue:1', 'supervisor', 'monitor', { supervisorId: sue, mode: 'listen', from: null });
    await event(K, '09:07:00', 'monitor-end:sue:1', 'supervisor', 'monitor_end', { supervisorId: sue, mode: 'listen', seconds: 60 });
    await event(K, '09:08:00', 'party-remove:interpreter-1', 'agent', 'participant_removed', { agentId: ana, role: 'interpreter', participantId: 'interpreter-1' });
    await hangUp(K, '0201', '09:00:00', '09:08:20');

    // L 10:00: Ana answers; a warm transfer to a number is declined, then a warm transfer to Ben
    // completes (the caller held 60 s during the consultation). Parties: caller, Ana, Ben = 3.
    const L = await ring('L', '10:00:00', '0202');
    await queued(L, 'tL', '10:01:00');
    await answered(L, 'tL', ana, '10:01:10');
    await event(L, '10:02:00', 'consult:1', 'agent', 'transfer', { agentId: ana, to: 'number', mode: 'warm', result: 'started' });
    await event(L, '10:02:30', 'consult-end:1', 'agent', 'transfer', { agentId: ana, to: 'number', mode: 'warm', result: 'cancelled', reason: 'declined' });
    await event(L, '10:03:00', 'consult:2', 'agent', 'transfer', { agentId: ana, to: 'agent', targetAgent: ben, mode: 'warm', result: 'started' });
    await held(L, 'tL', '10:03:00', '10:04:00');
    await event(L, '10:04:00', 'consult-done:2', 'agent', 'transfer', { agentId: ana, to: 'agent', targetAgent: ben, mode: 'warm', result: 'completed' });
    await hangUp(L, '0202', '10:00:00', '10:09:10');

    // M 11:00: Ben answers and cold-transfers to the pharmacy queue; Cal takes the call and adds
    // an outside party. Parties: caller, Ben, Cal, party-1 = 4. The record's agent is Cal.
    const M = await ring('M', '11:00:00', '0203');
    await queued(M, 'tM', '11:01:00');
    await answered(M, 'tM', ben, '11:01:30');
    await event(M, '11:03:00', 'transfer:1', 'agent', 'transfer', { agentId: ben, to: 'queue', queue: 'pharmacy', mode: 'cold', result: 'completed' });
    await answered(M, 'tM~t1', cal, '11:05:00');
    await event(M, '11:06:00', 'party-add:party-1', 'agent', 'participant_added', { agentId: cal, role: 'party', participantId: 'party-1' });
    await hangUp(M, '0203', '11:00:00', '11:10:00');

    // N 12:00: Cal answers and warm-transfers to an outside number (the caller held 40 s).
    // Parties: caller, Cal, the number = 3.
    const N = await ring('N', '12:00:00', '0204');
    await queued(N, 'tN', '12:01:00');
    await answered(N, 'tN', cal, '12:01:05');
    await event(N, '12:02:00', 'consult:3', 'agent', 'transfer', { agentId: cal, to: 'number', mode: 'warm', result: 'started' });
    await held(N, 'tN', '12:02:00', '12:02:40');
    await event(N, '12:02:40', 'consult-done:3', 'agent', 'transfer', { agentId: cal, to: 'number', mode: 'warm', result: 'completed' });
    await hangUp(N, '0204', '12:00:00', '12:06:00');

    // O 13:00: Ana answers; a warm transfer to Ben is not answered. Parties: caller, Ana = 2.
    const O = await ring('O', '13:00:00', '0205');
    await queued(O, 'tO', '13:01:00');
    await answered(O, 'tO', ana, '13:01:15');
    await event(O, '13:02:00', 'consult:4', 'agent', 'transfer', { agentId: ana, to: 'agent', targetAgent: ben, mode: 'warm', result: 'started' });
    await event(O, '13:02:30', 'consult-end:4', 'agent', 'transfer', { agentId: ana, to: 'agent', mode: 'warm', result: 'cancelled', reason: 'no answer' });
    await hangUp(O, '0205', '13:00:00', '13:05:00');

    // P 14:00: hangs up in the queue after 40 s: not answered, in none of these figures.
    const P = await ring('P', '14:00:00', '0206');
    await queued(P, 'tP', '14:01:00');
    await hangUp(P, '0206', '14:00:00', '14:01:40');

    clock.t = local('12:00:00', '2026-11-25');
    await recordsWritten(app);
  });

  afterAll(async () => {
    await app.close();
  });

  test('hold is on the record from the conference events, and handle time includes it', async () => {
    const K = await app.ctx.db.callRecord.findUniqueOrThrow({ where: { callSid: sids.K } });
    // handle time: 09:01:20 answer to 09:08:20 end, the 75 s on hold included
    expect(K).toMatchObject({ holdSec: 75, holdCount: 2, handleSec: 420, waitSec: 20, outcome: 'answered', agentId: ana });
    expect(await app.ctx.db.callRecord.findUniqueOrThrow({ where: { callSid: sids.O } })).toMatchObject({ holdSec: null, holdCount: null, handleSec: 225 });
    const names = (await app.ctx.db.callEvent.findMany({ where: { callSid: sids.K, type: 'agent', name: { in: ['hold', 'resume'] } }, orderBy: { at: 'asc' } })).map((e) => [e.name, e.detail]);
    expect(names).toEqual([
      ['hold', { agentId: ana }], ['resume', { agentId: ana, heldSec: 30 }],
      ['hold', { agentId: ana }], ['resume', { agentId: ana, heldSec: 45 }],
    ]);
  });

  test('GET /api/call-records/:callSid returns holdSec and holdCount', async () => {
    const s = await loginAs(app, 'sue@example.org');
    const res = await s.agent.get(`/api/call-records/${sids.K}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ callSid: sids.K, holdSec: 75, holdCount: 2, handleSec: 420 });
    const never = await s.agent.get(`/api/call-records/${sids.O}`);
    expect(never.body).toMatchObject({ holdSec: null, holdCount: null });
  });

  test('GET /api/reports: average hold, held share, transfer rate and parties per call, in total and per agent', async () => {
    const s = await loginAs(app, 'sue@example.org');
    const r = (await s.agent.get('/api/reports?from=2026-11-24&to=2026-11-24')).body;
    expect(r.totals).toMatchObject({ inbound: 6, queued: 6, answered: 5, abandoned: 1 });
    // hold: (75 + 60 + 0 + 40 + 0) / 5; held K L N; transferred L M N (O's and L's first were not
    // completed); parties (3 + 3 + 4 + 3 + 2) / 5, Sue not counted
    expect(pick(r.totals)).toEqual({ averageHoldSec: 35, held: 3, heldPct: 60, transferred: 3, transferRatePct: 60, averageParticipants: 3 });
    // Rows by the record's agent: Ana K L O; Cal M N (M was cold-transferred to him); Ben none.
    expect(r.perAgent.map((a: { name: string; answered: number }) => [a.name, a.answered])).toEqual([['Ana Alvarez', 3], ['Cal Chen', 2]]);
    expect(pick(r.perAgent[0])).toEqual({ averageHoldSec: 45, held: 2, heldPct: 66.7, transferred: 1, transferRatePct: 33.3, averageParticipants: 2.7 });
    expect(pick(r.perAgent[1])).toEqual({ averageHoldSec: 20, held: 1, heldPct: 50, transferred: 2, transferRatePct: 100, averageParticipants: 3.5 });
  });

  test('GET /api/reports.csv carries the new figures', async () => {
    const s = await loginAs(app, 'sue@example.org');
    const lines = (await s.agent.get('/api/reports.csv?from=2026-11-24&to=2026-11-24')).text.split('\r\n');
    for (const l of ['summary,average_hold_sec,35', 'summary,held,3', 'summary,held_pct,60', 'summary,transferred,3', 'summary,transfer_rate_pct,60', 'summary,average_participants,3',
      'agent,agent_id,name,answered,average_speed_of_answer_sec,average_handle_time_sec,total_handle_sec,average_hold_sec,held_pct,transfer_rate_pct,average_participants']) {
      expect(lines).toContain(l);
    }
    expect(lines.find((l) => l.startsWith(`agent,${ana},`))).toMatch(/,45,66\.7,33\.3,2\.7$/);
    expect(lines.find((l) => l.startsWith(`agent,${cal},`))).toMatch(/,20,50,100,3\.5$/);
  });

  test('a day without answered calls: the new rates and means are null, the counts 0', async () => {
    const s = await loginAs(app, 'sue@example.org');
    const r = (await s.agent.get('/api/reports?from=2026-11-23&to=2026-11-23')).body;
    expect(pick(r.totals)).toEqual({ averageHoldSec: null, held: 0, heldPct: null, transferred: 0, transferRatePct: null, averageParticipants: null });
  });
});
