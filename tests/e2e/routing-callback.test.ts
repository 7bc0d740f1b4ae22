import { agentOnCall } from '../helpers/conference';
import { recordsWritten } from '../helpers/app';
import { getPresence } from '../../src/routing/presence';
import { startRouting, until, type RoutingHarness } from './routing-harness';

describe('press 1 for a callback: kept in line and routed later like a call', () => {
  let h: RoutingHarness;
  beforeAll(async () => {
    h = await startRouting();
  });
  afterAll(async () => {
    await h.close();
  });

  test('a callback request keeps its place, is stored, and is later routed to an agent who calls back', async () => {
    const caller = await h.call('+13055550151', { queue: 'pharmacy', requiredSkills: [], language: 'es', reason: 'refill', verified: false });
    expect(caller.transcript()).toContain('marque 1');
    await caller.press('1');
    expect(caller.ended).toBe(true);
    expect(caller.transcript()).toContain('Conservamos su lugar');
    await recordsWritten(h.app);
    const stored = await h.app.ctx.db.callbackTask.findFirstOrThrow({ where: { callSid: caller.sid } });
    expect(stored).toMatchObject({ reason: 'queue_callback', status: 'open', phone: '+13055550151', language: 'es', queueName: 'pharmacy' });
    expect((await h.app.ctx.db.callRecord.findUniqueOrThrow({ where: { callSid: caller.sid } })).outcome).toBe('callback');

    // A later caller waits behind the callback.
    const later = await h.call('+13055550152', { queue: 'pharmacy', requiredSkills: [], language: 'es', reason: 'refill', verified: false });
    const agent = await h.agent('cb-agent@example.org', { es: 5, pharmacy: 3 });
    const phone = h.phone(agent, 'answer');
    await h.setStatus(agent, 'available');
    const presence = await getPresence(h.app.ctx, agent.agentId);
    expect(presence.state).toBe('reserved');
    expect(presence.taskId).toBe(`cb-${stored.id}`);
    expect(later.queue?.name).toBe('pharmacy');

    const pop = await agent.agent.get(`/api/calls/cb-${stored.id}`);
    expect(pop.body).toMatchObject({ kind: 'callback', phone: '+13055550151', language: 'es', queue: 'pharmacy' });
    const accepted = await agent.agent.post(`/api/calls/cb-${stored.id}/accept`).set('X-CSRF-Token', agent.csrf);
    expect(accepted.status).toBe(200);
    await until('the patient is called back and connected', () => phone.offered[0]?.status === 'accepted', h.sim);
    expect(h.sim.createdCalls.map((c) => c.to)).toContain('+13055550151');
    const callback = h.sim.callsTo('+13055550151').at(-1)!;
    expect(callback.transcript()).toContain('le llamamos de');
    expect(agentOnCall(h.sim, callback)).toBe(`client:agent_${agent.agentId}`);
    await recordsWritten(h.app);
    expect(await h.app.ctx.db.callbackTask.findUniqueOrThrow({ where: { id: stored.id } })).toMatchObject({ status: 'assigned', agentId: agent.agentId });

    await callback.hangup();
    await until('wrap-up', async () => (await getPresence(h.app.ctx, agent.agentId)).state === 'wrap-up', h.sim);
    const wrap = await agent.agent.put(`/api/calls/cb-${stored.id}/wrapup`).set('X-CSRF-Token', agent.csrf).send({ disposition: 'refill_processed', notes: 'Llamada devuelta' });
    expect(wrap.body).toMatchObject({ saved: true, available: true });
    await recordsWritten(h.app);
    expect(await h.app.ctx.db.callbackTask.findUniqueOrThrow({ where: { id: stored.id } })).toMatchObject({ status: 'done', notes: 'Llamada devuelta' });
    expect((await h.app.ctx.db.callRecord.findUniqueOrThrow({ where: { callSid: callback.sid } })).disposition).toBe('refill_processed');

    // Available again: the later caller is next.
    await until('the later caller is connected', () => phone.offered[1]?.status === 'accepted', h.sim);
    expect(phone.offered[1]!.from).toBe(later.from);
    await later.hangup();
    await until('wrap-up after the later call', async () => (await getPresence(h.app.ctx, agent.agentId)).state === 'wrap-up', h.sim);
    await agent.agent.put(`/api/calls/${later.sid}/wrapup`).set('X-CSRF-Token', agent.csrf).send({ disposition: 'resolved' });
  });

  test('a callback nobody answers sends the agent to wrap-up, and "callback needed" keeps the request open', async () => {
    h.sim.setNumberBehaviour('+13055550153', 'no-answer');
    const caller = await h.call('+13055550153', { queue: 'pharmacy', requiredSkills: [], language: 'en', reason: 'refill', verified: false });
    await caller.press('1');
    await recordsWritten(h.app);
    const stored = await h.app.ctx.db.callbackTask.findFirstOrThrow({ where: { callSid: caller.sid } });
    const agent = await h.agent('cb-agent2@example.org', { en: 5, pharmacy: 3 });
    h.phone(agent, 'answer');
    await h.setStatus(agent, 'available');
    expect((await getPresence(h.app.ctx, agent.agentId)).taskId).toBe(`cb-${stored.id}`);
    expect((await agent.agent.post(`/api/calls/cb-${stored.id}/accept`).set('X-CSRF-Token', agent.csrf)).status).toBe(200);
    await until('wrap-up after the unanswered callback', async () => (await getPresence(h.app.ctx, agent.agentId)).state === 'wrap-up', h.sim);
    const wrap = await agent.agent.put(`/api/calls/cb-${stored.id}/wrapup`).set('X-CSRF-Token', agent.csrf).send({ disposition: 'callback_needed', notes: 'No answer' });
    expect(wrap.body.available).toBe(true);
    await recordsWritten(h.app);
    // Tried again later (retryAt); the deadline (dueAt) does not move.
    expect(await h.app.ctx.db.callbackTask.findUniqueOrThrow({ where: { id: stored.id } })).toMatchObject({ status: 'open', notes: 'No answer', agentId: null, dueAt: stored.dueAt, retryAt: expect.any(Date) });
  });
});
