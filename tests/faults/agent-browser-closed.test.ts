import { agentOnCall } from '../helpers/conference';
import { recordsWritten } from '../helpers/app';
import http from 'node:http';
import request from 'supertest';
import { routingTick } from '../../src/routing/escalation-worker';
import { getPresence } from '../../src/routing/presence';
import { callTaskId, getTask } from '../../src/routing/task-store';
import type { TestApp } from '../helpers/app';
import { createAgent, DEMO_PASSWORD, loginAs } from '../helpers/staff';
import { startRouting, type RoutingHarness } from '../e2e/routing-harness';
import { expectValidTwiml, waitFor } from './fault-helpers';

// Fault: an agent's browser goes away in the middle of a call. First only the live-update stream
// drops (a network blip, a reload); then the browser closes: the stream drops and the browser
// phone's leg ends. What must hold: the caller hears something sensible and the call record is
// completed; the agent is never left busy (routing's design: the end of the conversation puts the
// agent in wrap-up, which a supervisor can end by taking them offline); the call is never assigned
// a second time, and the next caller is not offered to the absent agent.

interface Stream {
  events: Array<Record<string, unknown>>;
  close(): void;
}

/** Opens the agent's SSE stream as the console does, resolving once the subscription is in place. */
function openStream(app: TestApp, cookie: string): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const events: Array<Record<string, unknown>> = [];
    const req = http.get(`${app.baseUrl}/api/agents/me/events`, { headers: { cookie, accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`status ${res.statusCode}`));
      let buf = '';
      res.on('data', (chunk: Buffer) => {
        buf += chunk.toString();
        for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
          const data = buf.slice(0, i).split('\n').find((l) => l.startsWith('data: '));
          buf = buf.slice(i + 2);
          if (!data) continue;
          const e = JSON.parse(data.slice(6)) as Record<string, unknown>;
          events.push(e);
          if (e.type === 'ready') resolve({ events, close: () => req.destroy() });
        }
      });
      res.on('error', () => undefined);
    });
    req.on('error', () => undefined);
  });
}

async function cookieOf(app: TestApp, email: string): Promise<string> {
  const res = await request(app.server).post('/api/auth/login').send({ email, password: DEMO_PASSWORD });
  return String(res.headers['set-cookie']).split(';')[0]!;
}

describe("an agent's browser closing mid-call", () => {
  let h: RoutingHarness;
  beforeAll(async () => {
    h = await startRouting();
  });
  afterAll(async () => {
    await h.close();
  });

  test('the stream dropping changes nothing; the browser closing ends the call into wrap-up, never a second assignment', async () => {
    const who = await h.agent('closing@example.org', { en: 5, general: 3 });
    await createAgent(h.app.ctx.db, { email: 'lead-closing@example.org', name: 'Lead', roles: ['supervisor'] });
    const lead = await loginAs(h.app, 'lead-closing@example.org');
    const phone = h.phone(who, 'answer');
    const cookie = await cookieOf(h.app, 'closing@example.org');
    let stream = await openStream(h.app, cookie);
    expect(await h.setStatus(who, 'available')).toBe(200);

    const caller = await h.call('+12125550181', { queue: 'general', requiredSkills: ['en'], language: 'en', reason: 'billing', verified: false, ivrPath: ['menu'] });
    await waitFor('the agent answers', async () => {
      await h.sim.idle();
      return phone.offered[0]?.status === 'accepted';
    });
    const taskId = callTaskId(caller.sid);
    expect(agentOnCall(h.sim, caller)).toBe(`client:agent_${who.agentId}`);

    // 1. Only the live-update stream drops (a blip or a reload): the conversation goes on.
    stream.close();
    await routingTick(h.app.ctx);
    await h.sim.idle();
    expect(caller.waitingFor).toBe('conference');
    expect((await getPresence(h.app.ctx, who.agentId)).state).toBe('busy');
    stream = await openStream(h.app, cookie);
    expect(stream.events[0]).toMatchObject({ type: 'state', state: 'busy' });

    // 2. The browser closes: the stream drops and the browser phone's leg ends with it.
    stream.close();
    await phone.offered[0]!.hangup();
    await waitFor('the caller released', async () => {
      await h.sim.idle();
      return caller.ended;
    });
    expect(caller.transcript()).toContain('Thank you for calling. Goodbye.');
    expectValidTwiml(caller);
    expect((await getPresence(h.app.ctx, who.agentId)).state).toBe('wrap-up');
    expect((await getTask(h.app.ctx, taskId))?.state).toBe('wrapup');
    await recordsWritten(h.app);
    const rec = await h.app.ctx.db.callRecord.findUniqueOrThrow({ where: { callSid: caller.sid } });
    expect(rec).toMatchObject({ status: 'completed', agentId: who.agentId, queueName: 'general' });
    expect(rec.agentAnsweredAt).not.toBeNull();

    // The next caller waits: never offered to the absent agent, however often routing runs.
    const next = await h.call('+12125550182', { queue: 'general', requiredSkills: ['en'], language: 'en', reason: 'billing', verified: false, ivrPath: ['menu'] });
    await routingTick(h.app.ctx);
    await routingTick(h.app.ctx);
    await h.sim.idle();
    expect(next.queue).toMatchObject({ name: 'general', position: 1 });
    expect(phone.offered).toHaveLength(1);

    // A supervisor takes the absent agent offline; wrap-up is over, nothing is assigned to them.
    const off = await lead.agent.put(`/api/supervisor/agents/${who.agentId}/status`).set('X-CSRF-Token', lead.csrf).send({ status: 'offline' });
    expect(off.status).toBe(200);
    expect((await getPresence(h.app.ctx, who.agentId)).state).toBe('offline');
    await routingTick(h.app.ctx);
    await h.sim.idle();
    expect(phone.offered).toHaveLength(1);

    // The agent comes back: wrap-up saved on the first call, then available takes the waiting caller.
    const back = await loginAs(h.app, 'closing@example.org');
    const wrap = await back.agent.put(`/api/calls/${caller.sid}/wrapup`).set('X-CSRF-Token', back.csrf).send({ disposition: 'other', notes: 'browser closed mid-call' });
    expect(wrap.status).toBe(200);
    // Saved; the agent stays offline (the supervisor's choice) until they say otherwise.
    expect(wrap.body).toMatchObject({ saved: true, finished: true, available: false });
    expect((await getPresence(h.app.ctx, who.agentId)).state).toBe('offline');
    expect((await getTask(h.app.ctx, taskId))?.state).toBe('done');
    expect(await h.setStatus(back, 'available')).toBe(200);
    await waitFor('the next caller connected', async () => {
      await h.sim.idle();
      return phone.offered[1]?.status === 'accepted';
    });
    expect(phone.offered.map((o) => o.from)).toEqual([caller.from, next.from]);
    await recordsWritten(h.app);
    expect(await h.app.ctx.db.callRecord.findUniqueOrThrow({ where: { callSid: caller.sid } })).toMatchObject({ disposition: 'other' });
    await next.hangup();
    expectValidTwiml(next);
  });
});
