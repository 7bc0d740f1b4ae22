import { agentOnCall } from '../helpers/conference';
import { recordsWritten } from '../helpers/app';
import { routingTick } from '../../src/routing/escalation-worker';
import { getPresence } from '../../src/routing/presence';
import type { ClientIncoming } from '../../src/sim';
import { loginAs } from '../helpers/staff';
import { fakeClock } from './ivr-harness';
import { startRouting, until, type RoutingHarness } from './routing-harness';

describe('escalation, ring-no-answer and abandonment end to end', () => {
  let h: RoutingHarness;
  const clock = fakeClock(new Date('2026-03-03T15:00:00Z'));
  beforeAll(async () => {
    h = await startRouting({ clock });
  });
  afterAll(async () => {
    await h.close();
  });

  test('escalation widens the requirement after the configured time (Spanish caller -> English-only pharmacist after 30 s)', async () => {
    const en = await h.agent('esc-en@example.org', { en: 5, pharmacist: 1 });
    const phone = h.phone(en, 'answer');
    await h.setStatus(en, 'available');
    const caller = await h.call('+13055550122', { queue: 'clinical', requiredSkills: ['es', 'pharmacist'], language: 'es', reason: 'clinical', verified: false });
    await routingTick(h.app.ctx);
    await h.sim.idle();
    expect(phone.offered).toHaveLength(0); // first target: {required} AND {language}
    expect(caller.queue?.name).toBe('clinical');

    clock.at = new Date(clock.at.getTime() + 29_000);
    await routingTick(h.app.ctx);
    await h.sim.idle();
    expect(phone.offered).toHaveLength(0);

    clock.at = new Date(clock.at.getTime() + 2_000); // 31 s: second target, {required} only
    await routingTick(h.app.ctx);
    await until('the English-only pharmacist answers', () => phone.offered[0]?.status === 'accepted', h.sim);
    expect(agentOnCall(h.sim, caller)).toBe(`client:agent_${en.agentId}`);
    await caller.hangup();
    await until('wrap-up', async () => (await getPresence(h.app.ctx, en.agentId)).state === 'wrap-up', h.sim);
    await en.agent.put(`/api/calls/${caller.sid}/wrapup`).set('X-CSRF-Token', en.csrf).send({ disposition: 'resolved' });
    await h.setStatus(en, 'offline');
  });

  test('ring-no-answer: the agent becomes not-ready and the call goes back to the head of its queue', async () => {
    const slow = await h.agent('slow@example.org', { en: 5, general: 1 });
    const quick = await h.agent('quick@example.org', { en: 5, general: 1 });
    const slowPhone = h.phone(slow, 'ignore');
    const quickPhone = h.phone(quick, 'answer');
    await h.setStatus(slow, 'available');
    const first = await h.call('+12125550131', { queue: 'general', requiredSkills: [], language: 'en', reason: 'operator', verified: false });
    clock.at = new Date(clock.at.getTime() + 1000);
    const second = await h.call('+12125550132', { queue: 'general', requiredSkills: [], language: 'en', reason: 'operator', verified: false });
    await until('the slow agent rang out', async () => (await getPresence(h.app.ctx, slow.agentId)).state === 'break', h.sim);

    expect(slowPhone.offered.map((o) => o.from)).toEqual([first.from]);
    expect(slowPhone.offered[0]!.status).toBe('no-answer');
    await recordsWritten(h.app);
    const events = await h.app.ctx.db.callEvent.findMany({ where: { callSid: first.sid, name: 'ring_no_answer' } });
    expect(events).toHaveLength(1);
    expect(first.queue?.name).toBe('general'); // back in the queue, not dropped

    // The next agent gets the call that rang out first: it kept its place ahead of the second caller.
    await h.setStatus(quick, 'available');
    await until('the quick agent answers', () => quickPhone.offered[0]?.status === 'accepted', h.sim);
    expect(quickPhone.offered[0]!.from).toBe(first.from);
    expect(second.queue?.name).toBe('general');
    await first.hangup();
    await second.hangup();
    await h.sim.idle();
  });

  test('accepted on the console but the phone never answers: the call still goes back to the queue and the agent to break', async () => {
    const ghost = await h.agent('ghost@example.org', { en: 5, general: 1 });
    const rang: ClientIncoming[] = [];
    h.sim.registerClient(`agent_${ghost.agentId}`, { onIncoming: (incoming) => void rang.push(incoming) });
    await h.setStatus(ghost, 'available');
    const caller = await h.call('+12125550135', { queue: 'general', requiredSkills: [], language: 'en', reason: 'operator', verified: false });
    expect(rang).toHaveLength(1);
    expect((await ghost.agent.post(`/api/calls/${caller.sid}/accept`).set('X-CSRF-Token', ghost.csrf)).status).toBe(200);
    expect((await getPresence(h.app.ctx, ghost.agentId)).state).toBe('busy');
    await rang[0]!.ignore();
    await h.sim.idle();
    expect((await getPresence(h.app.ctx, ghost.agentId)).state).toBe('break');
    expect(caller.queue?.name).toBe('general');
    expect(caller.ended).toBe(false);
    await caller.hangup();
  });

  test('a caller who hangs up while waiting is removed from the queue and counted as abandoned', async () => {
    const caller = await h.call('+12125550141', { queue: 'pharmacy', requiredSkills: ['pharmacist'], language: 'en', reason: 'refill', verified: false });
    const sup = await h.agent('sup-abandon@example.org', { en: 1 });
    await h.app.ctx.db.agent.update({ where: { id: sup.agentId }, data: { roles: ['supervisor'] } });
    const supervisor = await loginAs(h.app, 'sup-abandon@example.org');
    const before = await supervisor.agent.get('/api/supervisor/overview');
    expect(before.body.queues.find((q: { name: string }) => q.name === 'pharmacy').waiting).toBe(1);

    clock.at = new Date(clock.at.getTime() + 12_000);
    await caller.hangup();
    await recordsWritten(h.app);
    const record = await h.app.ctx.db.callRecord.findUniqueOrThrow({ where: { callSid: caller.sid } });
    expect(record.outcome).toBe('abandoned');
    expect(record.waitSec).toBe(12);
    const after = await supervisor.agent.get('/api/supervisor/overview');
    expect(after.body.queues.find((q: { name: string }) => q.name === 'pharmacy').waiting).toBe(0);
  });
});
