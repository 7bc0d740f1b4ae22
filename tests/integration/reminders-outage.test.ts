import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { createRedis } from '../../src/db/redis';
import { campaignOf, expectOneCallEach, NY_OPENS, settleAll, startReminderHarness, waitFor } from './reminders-fixtures';

// Exactly once through a Redis restart that loses every job, and the global pace held by two workers.

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function startRedisServer(port: number): Promise<ChildProcess> {
  // No persistence: a restart comes back empty, the worst case (every job gone).
  const p = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  return waitFor('redis-server up', async () => {
    const c = createRedis(`redis://127.0.0.1:${port}`);
    const ok = await c.ping().then(() => true, () => false);
    c.disconnect();
    return ok && p;
  });
}

describe('Redis restarting empty', () => {
  test('every reminder is still dialed exactly once', async () => {
    const port = await freePort();
    let server = await startRedisServer(port);
    const url = `redis://127.0.0.1:${port}`;
    const redis = createRedis(url, 'careline:restart:');
    const h = await startReminderHarness(NY_OPENS, { REMINDER_CALLS_PER_SECOND: '8' }, { redis, url, prefix: 'careline:restart:', close: async () => redis.disconnect() });
    try {
      const phones = await campaignOf(h, 16, '561');
      h.startWorker({ concurrency: 4 });
      await waitFor('some calls placed', async () => h.sim.createdCalls.length >= 4);
      await redis.set('marker', 'before the restart');
      server.kill('SIGKILL');
      await new Promise((r) => server.once('exit', r));
      await new Promise((r) => setTimeout(r, 300));
      server = await startRedisServer(port);
      expect(await redis.get('marker')).toBeNull();

      const rs = await settleAll(h, 16);
      expectOneCallEach(h, phones);
      expect(rs.every((r) => r.attemptLog.filter((a) => a.callSid).length === 1)).toBe(true);
    } finally {
      await h.close();
      redis.disconnect();
      server.kill('SIGKILL');
    }
  });
});

describe('pacing', () => {
  test('two workers together never exceed the global calls-per-second limit', async () => {
    const cps = 4;
    const h = await startReminderHarness(NY_OPENS, { REMINDER_CALLS_PER_SECOND: String(cps) });
    try {
      const phones = await campaignOf(h, 12, '562');
      // When each request to Twilio leaves careline (the pace careline controls; the local Twilio's
      // receive times add this busy test process's own scheduling delays).
      const sent: number[] = [];
      const calls = h.ctx.twilio.calls;
      const create = calls.create.bind(calls);
      calls.create = ((...args: Parameters<typeof create>) => {
        sent.push(Date.now());
        return create(...args);
      }) as typeof create;
      h.startWorker({ concurrency: 6 });
      h.startWorker({ concurrency: 6 });
      await settleAll(h, 12);
      expectOneCallEach(h, phones);
      // The limiter lets at most `cps` dials through per second on Redis's clock; these times are
      // taken a little later, in this busy process, so a span 50 ms short of a second is checked.
      const busiest = Math.max(...sent.map((t) => sent.filter((u) => u >= t && u < t + 950).length));
      expect(sent).toHaveLength(12);
      expect(busiest).toBeLessThanOrEqual(cps);
      expect(busiest).toBeGreaterThan(1);
    } finally {
      await h.close();
    }
  });
});
