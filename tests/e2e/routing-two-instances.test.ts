import { agentOnCall } from '../helpers/conference';
import { recordsWritten } from '../helpers/app';
import { getPresence } from '../../src/routing/presence';
import type { SimCall } from '../../src/sim';
import type { LoggedIn } from '../helpers/staff';
import { startRouting, until, type Phone, type RoutingHarness } from './routing-harness';

describe('two careline instances, many concurrent calls and agents', () => {
  let h: RoutingHarness;
  beforeAll(async () => {
    h = await startRouting({ instances: 2 });
  });
  afterAll(async () => {
    await h.close();
  });

  test('every caller reaches exactly one agent and no agent ever holds two calls', async () => {
    const AGENTS = 10;
    const CALLERS = 20;
    const staff: LoggedIn[] = [];
    const phones: Phone[] = [];
    for (let i = 0; i < AGENTS; i++) {
      const who = await h.agent(`pair${i}@example.org`, { en: 5, general: 2 }, `Agent ${i}`, i % 2);
      staff.push(who);
      phones.push(h.phone(who, 'answer'));
    }
    await Promise.all(staff.map((s) => h.setStatus(s, 'available')));
    const callers: SimCall[] = await Promise.all(
      Array.from({ length: CALLERS }, (_, i) => h.call(`+1212555${String(1000 + i)}`, { queue: 'general', requiredSkills: [], language: 'en', reason: 'operator', verified: false })),
    );
    const connected = () => callers.filter((c) => agentOnCall(h.sim, c)).length;
    await until('every agent is on a call', () => connected() === AGENTS, h.sim);

    const bridgedTo = callers.map((c) => agentOnCall(h.sim, c)).filter(Boolean);
    expect(new Set(bridgedTo).size).toBe(AGENTS);
    for (const p of phones) expect(p.offered.filter((o) => o.status === 'accepted')).toHaveLength(1);
    expect(callers.filter((c) => c.queue).length).toBe(CALLERS - AGENTS);

    // Everyone hangs up and wraps up (alternating instances); the rest of the callers get through.
    const first = callers.filter((c) => agentOnCall(h.sim, c));
    await Promise.all(first.map((c) => c.hangup()));
    for (const s of staff) {
      await until('wrap-up', async () => (await getPresence(h.app.ctx, s.agentId)).state === 'wrap-up', h.sim);
    }
    await Promise.all(staff.map((s) => s.agent.get('/api/agents/me').then((me) => s.agent.put(`/api/calls/${me.body.taskId}/wrapup`).set('X-CSRF-Token', s.csrf).send({ disposition: 'resolved' }))));
    await until('the remaining callers are connected', () => connected() === CALLERS - AGENTS, h.sim);

    const allParents = phones.flatMap((p) => p.offered.filter((o) => o.status !== 'ringing').map((o) => o.from));
    expect(new Set(allParents).size).toBe(CALLERS);
    for (const p of phones) expect(p.offered).toHaveLength(2);
    await recordsWritten(h.app);
    const records = await h.app.ctx.db.callRecord.findMany({ where: { callSid: { in: callers.map((c) => c.sid) } } });
    expect(records.filter((r) => r.agentId).length).toBe(CALLERS);
    await Promise.all(callers.filter((c) => !c.ended).map((c) => c.hangup()));
  });
});
