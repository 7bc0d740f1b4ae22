import { agentOnCall } from '../helpers/conference';
import { recordsWritten } from '../helpers/app';
import { routingTick } from '../../src/routing/escalation-worker';
import { getPresence } from '../../src/routing/presence';
import { callTaskId, getTask } from '../../src/routing/task-store';
import type { ClientIncoming } from '../../src/sim';
import { createAgent, loginAs, type LoggedIn } from '../helpers/staff';
import { fakeClock } from './ivr-harness';
import { startRouting, until, type RoutingHarness } from './routing-harness';

// "Answered" is Twilio's word that the agent's leg answered, not the console's click: a call
// accepted on the console whose phone never picks up is not answered, and a call the browser phone
// answered without an Accept is.
describe('answered means Twilio connected an agent', () => {
  let h: RoutingHarness;
  let lead: LoggedIn;
  const clock = fakeClock(new Date('2026-03-03T15:00:00Z'));
  beforeAll(async () => {
    h = await startRouting({ clock });
    await createAgent(h.app.ctx.db, { email: 'lead-answered@example.org', name: 'Lead', roles: ['supervisor'] });
    lead = await loginAs(h.app, 'lead-answered@example.org');
  });
  afterAll(async () => {
    await h.close();
  });

  // The local Twilio stamps status callbacks with the wall clock, careline uses the test's clock: a
  // year covers both.
  const ALL_TIME = 'from=2026-01-01&to=2026-12-31';

  test('accepted on the console, the phone rings out, the caller hangs up in the queue: abandoned, no agent, not in the agent\'s figures', async () => {
    const ghost = await h.agent('ghost-answered@example.org', { en: 5, general: 1 });
    const rang: ClientIncoming[] = [];
    h.sim.registerClient(`agent_${ghost.agentId}`, { onIncoming: (incoming) => void rang.push(incoming) });
    await h.setStatus(ghost, 'available');
    const caller = await h.call('+12125550151', { queue: 'general', requiredSkills: [], language: 'en', reason: 'operator', verified: false });
    expect(rang).toHaveLength(1);
    expect((await ghost.agent.post(`/api/calls/${caller.sid}/accept`).set('X-CSRF-Token', ghost.csrf)).status).toBe(200);
    await rang[0]!.ignore(); // rings until the ring timeout: nobody picked up
    expect((await getPresence(h.app.ctx, ghost.agentId)).state).toBe('break');
    expect(caller.queue?.name).toBe('general');
    clock.at = new Date(clock.at.getTime() + 4_000);
    await caller.hangup();
    await recordsWritten(h.app);

    const rec = await h.app.ctx.db.callRecord.findUniqueOrThrow({ where: { callSid: caller.sid } });
    expect(rec).toMatchObject({ outcome: 'abandoned', agentId: null, agentAnsweredAt: null, handleSec: null });
    const answered = await lead.agent.get(`/api/calls?${ALL_TIME}&outcome=answered&agentId=${ghost.agentId}`);
    expect(answered.status).toBe(200);
    expect(answered.body.items).toEqual([]);
    const report = await lead.agent.get(`/api/reports?${ALL_TIME}`);
    expect(report.status).toBe(200);
    expect(report.body.perAgent.map((a: { agentId: string }) => a.agentId)).not.toContain(ghost.agentId);
    await h.setStatus(ghost, 'offline');
  });

  test('answered on the browser phone without an Accept: the agent is on the call, the sweep leaves it alone, and the record is answered', async () => {
    const sdk = await h.agent('sdk-answered@example.org', { en: 5, general: 1 });
    const other = await h.agent('other-answered@example.org', { en: 5, general: 1 });
    const rang: ClientIncoming[] = [];
    // The SDK's own prompt (or a headset button): the leg answers, the console never posts accept.
    h.sim.registerClient(`agent_${sdk.agentId}`, { onIncoming: (incoming) => void rang.push(incoming) });
    const otherPhone = h.phone(other, 'answer');
    await h.setStatus(sdk, 'available');
    const caller = await h.call('+12125550152', { queue: 'general', requiredSkills: [], language: 'en', reason: 'operator', verified: false });
    expect(rang).toHaveLength(1);
    await rang[0]!.accept();
    expect(agentOnCall(h.sim, caller)).toBe(`client:agent_${sdk.agentId}`);
    expect((await getPresence(h.app.ctx, sdk.agentId)).state).toBe('busy');
    expect((await getTask(h.app.ctx, callTaskId(caller.sid)))?.state).toBe('connected');

    // 30 s into the conversation, well past the ring timeout and the sweep's grace; another agent is free.
    await h.setStatus(other, 'available');
    clock.at = new Date(clock.at.getTime() + 30_000);
    await routingTick(h.app.ctx);
    await h.sim.idle();
    expect(caller.waitingFor).toBe('conference');
    expect((await getPresence(h.app.ctx, sdk.agentId)).state).toBe('busy');
    expect(otherPhone.offered).toHaveLength(0);

    await caller.hangup();
    await until('wrap-up', async () => (await getPresence(h.app.ctx, sdk.agentId)).state === 'wrap-up', h.sim);
    await recordsWritten(h.app);
    const rec = await h.app.ctx.db.callRecord.findUniqueOrThrow({ where: { callSid: caller.sid } });
    expect(rec).toMatchObject({ outcome: 'answered', agentId: sdk.agentId, queueName: 'general' });
    expect(rec.agentAnsweredAt).not.toBeNull();
    const answered = await lead.agent.get(`/api/calls?${ALL_TIME}&outcome=answered&agentId=${sdk.agentId}`);
    expect(answered.body.items.map((i: { callSid: string }) => i.callSid)).toEqual([caller.sid]);
    await sdk.agent.put(`/api/calls/${caller.sid}/wrapup`).set('X-CSRF-Token', sdk.csrf).send({ disposition: 'resolved' });
    await h.setStatus(sdk, 'offline');
    await h.setStatus(other, 'offline');
  });
});
