import { assignWaiting } from '../../src/routing/assign';
import { parseRoutingConfig, useRoutingConfig } from '../../src/routing/config';
import { satisfies } from '../../src/routing/expression';
import { getPresence, setAgentState } from '../../src/routing/presence';
import { enterQueue } from '../../src/routing/queue-entry';
import { getTask } from '../../src/routing/task-store';
import type { Clock } from '../../src/context';
import { startTestApp, type TestApp } from '../helpers/app';
import { createAgent } from '../helpers/staff';
import { TEST_ROUTING } from '../e2e/routing-harness';

function settable(ms: number): Clock & { ms: number } {
  const c = { ms, now: () => new Date(c.ms) };
  return c;
}

describe('atomic assignment in Redis', () => {
  let a: TestApp;
  let b: TestApp;
  const clock = settable(Date.parse('2026-03-03T15:00:00Z'));
  beforeAll(async () => {
    a = await startTestApp({ clock });
    b = await startTestApp({ clock, testDb: a.testDb, testRedis: a.testRedis });
    const cfg = parseRoutingConfig(TEST_ROUTING);
    useRoutingConfig(a.ctx, cfg);
    useRoutingConfig(b.ctx, cfg);
  });
  afterAll(async () => {
    await b.close();
    await a.close();
  });

  const task = (app: TestApp, id: string, over: Partial<Parameters<typeof enterQueue>[1]> = {}) =>
    enterQueue(app.ctx, { kind: 'call', id, queue: 'general', language: 'en', reason: 'operator', requiredSkills: [], verified: false, pop: { ivrPath: [] }, ...over });

  test('two instances racing over many calls and agents: no agent holds two calls, no call goes to two agents', async () => {
    const agents = await Promise.all(
      Array.from({ length: 30 }, (_, i) => createAgent(a.ctx.db, { email: `race${i}@example.org`, name: `Race ${i}`, skills: i % 3 === 0 ? { es: 5, en: 2, general: 1 } : { en: 5, general: 1 } })),
    );
    await Promise.all(agents.map((ag, i) => setAgentState(i % 2 ? a.ctx : b.ctx, ag.id, 'available')));
    await Promise.all(
      Array.from({ length: 60 }, (_, i) => task(i % 2 ? a : b, `race-${i}`, { language: i % 4 === 0 ? 'es' : 'en' })),
    );
    // 40 assignment runs at once, half on each instance, each allowed a few reservations.
    const runs = await Promise.all(Array.from({ length: 40 }, (_, i) => assignWaiting((i % 2 ? a : b).ctx, 10, 2)));
    const all = runs.flat();

    const agentIds = all.map((r) => r.agentId);
    const taskIds = all.map((r) => r.taskId);
    expect(new Set(agentIds).size).toBe(agentIds.length);
    expect(new Set(taskIds).size).toBe(taskIds.length);
    expect(all.length).toBe(30); // 60 tasks, 30 agents, every agent fits some task
    for (const r of all) {
      const t = (await getTask(a.ctx, r.taskId))!;
      const p = await getPresence(a.ctx, r.agentId);
      expect(t).toMatchObject({ state: 'reserved', agentId: r.agentId });
      expect(p).toMatchObject({ state: 'reserved', taskId: r.taskId });
      expect(satisfies(p.skills, t.steps[t.step]!.req)).toBe(true);
    }
    // Nothing is left to assign: a further run reserves nobody.
    expect(await assignWaiting(b.ctx, 10)).toEqual([]);
    await Promise.all(agents.map((ag) => setAgentState(a.ctx, ag.id, 'offline', { force: true })));
    await a.ctx.redis.del('rt:waiting', 'rt:reserved');
  });

  test('highest priority first, then the oldest; the longest-idle agent first', async () => {
    const [x, y] = await Promise.all([
      createAgent(a.ctx.db, { email: 'idle-long@example.org', name: 'Long', skills: { en: 1, general: 1 } }),
      createAgent(a.ctx.db, { email: 'idle-short@example.org', name: 'Short', skills: { en: 1, general: 1 } }),
    ]);
    clock.ms += 1000;
    await task(a, 'old-low');
    clock.ms += 1000;
    await task(a, 'new-high', { requestedPriority: 50 });
    clock.ms += 1000;
    await task(a, 'newer-low');
    await setAgentState(a.ctx, x.id, 'available');
    clock.ms += 1000;
    await setAgentState(a.ctx, y.id, 'available');

    const first = await assignWaiting(b.ctx, 10, 1);
    expect(first).toEqual([{ taskId: 'new-high', agentId: x.id, attempt: 1 }]);
    const second = await assignWaiting(b.ctx, 10, 1);
    expect(second).toEqual([{ taskId: 'old-low', agentId: y.id, attempt: 1 }]);
    expect((await getTask(a.ctx, 'newer-low'))!.state).toBe('waiting');
  });
});
