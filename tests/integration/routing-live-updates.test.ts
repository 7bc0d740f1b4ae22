import http from 'node:http';
import request from 'supertest';
import { startTestApp, type TestApp } from '../helpers/app';
import { createAgent, loginAs } from '../helpers/staff';

/** Opens the SSE stream with the session cookie and collects events. */
function openStream(app: TestApp, cookie: string): Promise<{ events: Array<Record<string, unknown>>; next(type: string): Promise<Record<string, unknown>>; close(): void }> {
  return new Promise((resolve, reject) => {
    const events: Array<Record<string, unknown>> = [];
    const waiters: Array<{ type: string; resolve: (e: Record<string, unknown>) => void }> = [];
    const req = http.get(`${app.baseUrl}/api/agents/me/events`, { headers: { cookie, accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`status ${res.statusCode}`));
      let buf = '';
      res.on('data', (chunk: Buffer) => {
        buf += chunk.toString();
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const data = block.split('\n').find((l) => l.startsWith('data: '));
          if (!data) continue;
          const e = JSON.parse(data.slice(6)) as Record<string, unknown>;
          events.push(e);
          for (const w of waiters.filter((x) => x.type === e.type)) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(e);
          }
          if (e.type === 'ready') resolve(stream);
        }
      });
    });
    req.on('error', reject);
    const stream = {
      events,
      next: (type: string) => new Promise<Record<string, unknown>>((r) => waiters.push({ type, resolve: r })),
      close: () => req.destroy(),
    };
  });
}

describe('live updates (SSE over Redis pub/sub)', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    a = await startTestApp();
    b = await startTestApp({ testDb: a.testDb, testRedis: a.testRedis });
    await createAgent(a.ctx.db, { email: 'live@example.org', name: 'Liv' });
    await createAgent(a.ctx.db, { email: 'plain@example.org', name: 'Plain' });
    await createAgent(a.ctx.db, { email: 'lead@example.org', name: 'Lead', roles: ['supervisor'] });
  });
  afterAll(async () => {
    await b.close();
    await a.close();
  });

  test('a state change made through one instance reaches a stream held by the other, and the supervisors', async () => {
    const liv = await loginAs(a, 'live@example.org');
    const cookieOf = async (email: string) => {
      const res = await request(a.server).post('/api/auth/login').send({ email, password: 'careline-demo' });
      return String(res.headers['set-cookie']).split(';')[0]!;
    };
    const own = await openStream(a, await cookieOf('live@example.org'));
    const sup = await openStream(a, await cookieOf('lead@example.org'));
    expect(own.events[0]).toMatchObject({ type: 'state', state: 'offline' });

    // Log in on the other instance (sessions live in Redis) and change state there.
    const onB = await loginAs(b, 'live@example.org');
    const seen = own.next('state');
    const seenBySup = sup.next('state');
    expect((await onB.agent.put('/api/agents/me/status').set('X-CSRF-Token', onB.csrf).send({ status: 'available' })).status).toBe(200);
    expect(await seen).toMatchObject({ type: 'state', agentId: liv.agentId, state: 'available', previous: 'offline' });
    expect(await seenBySup).toMatchObject({ agentId: liv.agentId, state: 'available' });

    // A supervisor sets the agent on break through instance B.
    const leadOnB = await loginAs(b, 'lead@example.org');
    const onBreak = own.next('state');
    const put = await leadOnB.agent.put(`/api/supervisor/agents/${liv.agentId}/status`).set('X-CSRF-Token', leadOnB.csrf).send({ status: 'break' });
    expect(put.status).toBe(200);
    expect(await onBreak).toMatchObject({ state: 'break' });
    own.close();
    sup.close();
  });

  test('the supervisor API needs the supervisor role and the CSRF token', async () => {
    const plain = await loginAs(a, 'plain@example.org');
    expect((await plain.agent.get('/api/supervisor/overview')).status).toBe(403);
    const lead = await loginAs(a, 'lead@example.org');
    const overview = await lead.agent.get('/api/supervisor/overview');
    expect(overview.status).toBe(200);
    expect(overview.body.queues.map((q: { name: string }) => q.name)).toEqual(expect.arrayContaining(['pharmacy', 'clinical', 'general']));
    expect((await lead.agent.put(`/api/supervisor/agents/${plain.agentId}/status`).send({ status: 'break' })).status).toBe(403);
    expect((await request(a.server).get('/api/supervisor/overview')).status).toBe(401);
  });
});
