import { agentOnCall } from '../helpers/conference';
import request from 'supertest';
import { pendingRecordWrites } from '../../src/records/record-journal';
import { getPresence } from '../../src/routing/presence';
import { createAgent, DEMO_PASSWORD, loginAs } from '../helpers/staff';
import { startRouting, type RoutingHarness } from '../e2e/routing-harness';
import { expectValidTwiml, startDatabase, stopDatabase, waitFor } from './fault-helpers';

// Fault: PostgreSQL stops (as in a failover) while agents are logged in. Covered elsewhere: an IVR
// call running into the outage (postgres-restart.test.ts). What must hold: presence, queues and
// sessions live in Redis, so an agent still goes available, takes a queued call (the screen pop says
// what it cannot show) and wraps up; the wrap-up and its audit entry are kept in the record journal
// and land once the database is back. What truly needs the database (search, login) answers 503 with
// a plain reason the console shows, never 500 "internal error".

describe('PostgreSQL down while agents work', () => {
  let h: RoutingHarness;
  beforeAll(async () => {
    h = await startRouting();
  });
  afterAll(async () => {
    await startDatabase(h.app.testDb.name).catch(() => undefined);
    await h.close();
  });

  test('an agent goes available, takes a queued call and wraps up; the wrap-up and its audit entry land afterwards', async () => {
    const who = await h.agent('pg-agent@example.org', { en: 5, general: 3 });
    await createAgent(h.app.ctx.db, { email: 'pg-lead@example.org', name: 'Lead', roles: ['supervisor'] });
    const lead = await loginAs(h.app, 'pg-lead@example.org');
    const phone = h.phone(who, 'answer');
    // Logged in and seen by presence before the outage (every state change keeps name and skills in Redis).
    expect(await h.setStatus(who, 'break')).toBe(200);

    await stopDatabase(h.app.testDb.name);
    expect(await h.setStatus(who, 'available')).toBe(200);
    expect((await getPresence(h.app.ctx, who.agentId)).state).toBe('available');

    const caller = await h.call('+12125550181', { queue: 'general', requiredSkills: ['en'], language: 'en', reason: 'billing', verified: false, ivrPath: ['menu'] });
    await waitFor('the agent answers', async () => {
      await h.sim.idle();
      return phone.offered[0]?.status === 'accepted';
    });
    expect(agentOnCall(h.sim, caller)).toBe(`client:agent_${who.agentId}`);
    // The screen pop: what routing knows, and why the rest is missing.
    const pop = await who.agent.get(`/api/calls/${caller.sid}`);
    expect(pop.status).toBe(200);
    expect(pop.body).toMatchObject({ queue: 'general', reason: 'billing', patient: null, ivrPath: ['menu'] });
    expect(pop.body.unavailable).toMatch(/database is unavailable/);

    await caller.hangup();
    await waitFor('wrap-up', async () => (await getPresence(h.app.ctx, who.agentId)).state === 'wrap-up');
    const wrap = await who.agent.put(`/api/calls/${caller.sid}/wrapup`).set('X-CSRF-Token', who.csrf).send({ disposition: 'resolved', notes: 'sorted out during the outage' });
    expect(wrap.status).toBe(200);
    expect(wrap.body).toMatchObject({ saved: true, finished: true, available: true });
    expectValidTwiml(caller);

    // What needs the database says so, plainly.
    const search = await lead.agent.get('/api/calls');
    expect(search.status).toBe(503);
    expect(search.body.error).toMatch(/^The database is unavailable right now/);
    const login = await request(h.app.server).post('/api/auth/login').send({ email: 'pg-lead@example.org', password: DEMO_PASSWORD });
    expect(login.status).toBe(503);
    expect(login.body.error).toMatch(/^The database is unavailable right now/);
    // A supervisor can still change an agent's state (presence lives in Redis).
    const off = await lead.agent.put(`/api/supervisor/agents/${who.agentId}/status`).set('X-CSRF-Token', lead.csrf).send({ status: 'offline' });
    expect(off.status).toBe(200);

    await startDatabase(h.app.testDb.name);
    await waitFor('journaled writes applied', async () => (await pendingRecordWrites(h.app.ctx)) === 0, 25_000);
    const rec = await h.app.ctx.db.callRecord.findUniqueOrThrow({ where: { callSid: caller.sid } });
    expect(rec).toMatchObject({ status: 'completed', agentId: who.agentId, disposition: 'resolved', notes: 'sorted out during the outage', outcome: 'answered' });
    const audits = await h.app.ctx.db.auditEntry.findMany({ where: { entity: 'call_record', entityId: caller.sid, action: 'update' } });
    expect(audits).toEqual([expect.objectContaining({ actorType: 'agent', actorId: who.agentId, detail: expect.objectContaining({ fields: ['disposition', 'notes'], via: 'wrapup' }) })]);
    // Served as usual again.
    expect((await request(h.app.server).post('/api/auth/login').send({ email: 'pg-lead@example.org', password: DEMO_PASSWORD })).status).toBe(200);
  });
});
