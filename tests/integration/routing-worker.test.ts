import { parseRoutingConfig, useRoutingConfig } from '../../src/routing/config';
import { routingTick, startRoutingWorker } from '../../src/routing/escalation-worker';
import { restoreCallbacks } from '../../src/routing/queue-callback';
import { getPresence, setAgentState } from '../../src/routing/presence';
import { getTask } from '../../src/routing/task-store';
import { startTestApp, type TestApp } from '../helpers/app';
import { createAgent } from '../helpers/staff';
import { TEST_ROUTING, until } from '../e2e/routing-harness';

describe('the routing worker', () => {
  let app: TestApp;
  const clock = { ms: Date.parse('2026-03-03T15:00:00Z'), now: () => new Date(clock.ms) };
  beforeAll(async () => {
    app = await startTestApp({ clock });
    useRoutingConfig(app.ctx, parseRoutingConfig(TEST_ROUTING));
  });
  afterAll(async () => {
    await app.close();
  });

  test('puts open callbacks from PostgreSQL into routing (not ones waiting for a later retry) and assigns them on its tick', async () => {
    const now = app.ctx.clock.now().getTime();
    const base = { phone: '+12125550191', language: 'en', reason: 'queue_callback', queueName: 'general', status: 'open' };
    // Due (the SLA) tomorrow, as every new queue callback is: routed now all the same.
    const due = await app.ctx.db.callbackTask.create({ data: { ...base, key: 'w-due', dueAt: new Date(now + 86_400_000) } });
    const later = await app.ctx.db.callbackTask.create({ data: { ...base, key: 'w-later', dueAt: new Date(now + 86_400_000), retryAt: new Date(now + 3_600_000) } });
    const voicemail = await app.ctx.db.callbackTask.create({ data: { ...base, key: 'w-vm', reason: 'voicemail', dueAt: new Date(now - 1000) } });
    const agent = await createAgent(app.ctx.db, { email: 'worker@example.org', name: 'Wes', skills: { en: 3, general: 2 } });

    const worker = await startRoutingWorker(app.ctx);
    try {
      expect((await getTask(app.ctx, `cb-${due.id}`))?.state).toBe('waiting');
      expect(await getTask(app.ctx, `cb-${later.id}`)).toBeNull();
      expect(await getTask(app.ctx, `cb-${voicemail.id}`)).toBeNull();
      await setAgentState(app.ctx, agent.id, 'break');
      // Becoming available through presence alone (no API call): the worker's tick assigns.
      await app.ctx.redis.hset(`rt:agent:${agent.id}`, 'state', 'available');
      await app.ctx.redis.zadd('rt:available', String(now), agent.id);
      await until('the tick reserves the agent for the due callback', async () => (await getPresence(app.ctx, agent.id)).taskId === `cb-${due.id}`);
      expect((await getTask(app.ctx, `cb-${due.id}`))?.state).toBe('reserved');
    } finally {
      await worker.close();
    }
  });

  test('a callback offer nobody acts on is swept back after the ring timeout: the agent to break, the callback back in line', async () => {
    const cb = await app.ctx.db.callbackTask.create({ data: { key: 'w-sweep', phone: '+12125550192', language: 'en', reason: 'queue_callback', queueName: 'general', status: 'open', dueAt: new Date(clock.ms) } });
    const agent = await createAgent(app.ctx.db, { email: 'sleepy@example.org', name: 'Sid', skills: { en: 3, general: 2 } });
    await restoreCallbacks(app.ctx);
    await setAgentState(app.ctx, agent.id, 'available');
    await routingTick(app.ctx);
    expect((await getPresence(app.ctx, agent.id)).taskId).toBe(`cb-${cb.id}`);

    clock.ms += 10_000; // the ring timeout (10 s), but within the sweeper's grace
    await routingTick(app.ctx);
    expect((await getPresence(app.ctx, agent.id)).state).toBe('reserved');
    clock.ms += 11_000;
    await routingTick(app.ctx);
    expect((await getPresence(app.ctx, agent.id)).state).toBe('break');
    expect((await getTask(app.ctx, `cb-${cb.id}`))?.state).toBe('waiting');
  });
});
