import { recordsWritten } from '../helpers/app';
import { getPresence } from '../../src/routing/presence';
import type { LoggedIn } from '../helpers/staff';
import { startRouting, until, type RoutingHarness } from './routing-harness';

describe('decline, hold, warm and cold transfers, transfer out', () => {
  let h: RoutingHarness;
  beforeAll(async () => {
    h = await startRouting();
  });
  afterAll(async () => {
    await h.close();
  });

  const state = async (who: LoggedIn) => (await getPresence(h.app.ctx, who.agentId)).state;
  const post = (who: LoggedIn, path: string, body: object = {}) => who.agent.post(path).set('X-CSRF-Token', who.csrf).send(body);

  test('one call through decline, hold/resume, a warm transfer to an agent, a cold transfer to a queue and a transfer out', async () => {
    const ann = await h.agent('ann@example.org', { en: 5, general: 1 }, 'Ann');
    const ben = await h.agent('ben@example.org', { en: 5, general: 1 }, 'Ben');
    const cy = await h.agent('cy@example.org', { en: 5 }, 'Cy');
    const dee = await h.agent('dee@example.org', { en: 5, pharmacy: 1 }, 'Dee');
    const phones = await Promise.all([ann, ben, cy, dee].map((w) => h.consolePhone(w.agentId)));
    const [annPhone, benPhone, cyPhone, deePhone] = phones;

    await h.setStatus(ann, 'available');
    const caller = await h.call('+12125550171', { queue: 'general', requiredSkills: [], language: 'en', reason: 'operator', verified: false });
    expect(annPhone!.offered).toHaveLength(1);

    // Ann declines: the caller goes back to the queue, Ann stays available and is not offered it again.
    const declined = await post(ann, `/api/calls/${caller.sid}/decline`);
    expect(declined.status).toBe(200);
    await h.sim.idle();
    expect(await state(ann)).toBe('available');
    expect(caller.queue?.name).toBe('general');
    expect(annPhone!.offered).toHaveLength(1);

    await h.setStatus(ben, 'available');
    expect(benPhone!.offered).toHaveLength(1);
    expect((await post(ben, `/api/calls/${caller.sid}/accept`)).status).toBe(200);
    await until('Ben is connected', () => caller.bridge?.to === `client:agent_${ben.agentId}`, h.sim);

    // Hold: music for the caller; resume: Ben's phone rings again and the console answers it.
    expect((await post(ben, `/api/calls/${caller.sid}/hold`, { hold: true })).status).toBe(200);
    await h.sim.idle();
    expect(caller.bridge).toBeUndefined();
    expect(caller.transcript()).toContain('Please hold.');
    expect(await state(ben)).toBe('busy');
    expect((await post(ben, `/api/calls/${caller.sid}/hold`, { hold: false })).status).toBe(200);
    await until('Ben is back with the caller', () => caller.bridge?.to === `client:agent_${ben.agentId}`, h.sim);

    // Warm transfer to Cy (who has none of the queue's skills: a named agent is enough). Ben stays
    // on the task until Cy accepts.
    await h.setStatus(cy, 'available');
    const warm = await post(ben, `/api/calls/${caller.sid}/transfer`, { to: { type: 'agent', agentId: cy.agentId }, mode: 'warm' });
    expect(warm.status).toBe(200);
    await h.sim.idle();
    expect(await state(ben)).toBe('busy');
    expect(cyPhone!.offered).toHaveLength(1);
    const pop = await cy.agent.get(`/api/calls/${warm.body.newTaskId}`);
    expect(pop.body.warmFrom).toBe('Ben');
    expect((await post(cy, `/api/calls/${warm.body.newTaskId}/accept`)).status).toBe(200);
    await until('Cy is connected', () => caller.bridge?.to === `client:agent_${cy.agentId}`, h.sim);
    expect(await state(ben)).toBe('wrap-up');
    expect((await ben.agent.put(`/api/calls/${caller.sid}/wrapup`).set('X-CSRF-Token', ben.csrf).send({ disposition: 'transferred', notes: 'to Cy' })).body.available).toBe(true);

    // Cold transfer to the pharmacy queue: Cy wraps up at once, Dee (pharmacy) gets the caller.
    const cold = await post(cy, `/api/calls/${caller.sid}/transfer`, { to: { type: 'queue', queue: 'pharmacy' }, mode: 'cold' });
    expect(cold.status).toBe(200);
    expect(await state(cy)).toBe('wrap-up');
    await h.sim.idle();
    expect(caller.queue?.name).toBe('pharmacy');
    await h.setStatus(dee, 'available');
    expect((await post(dee, `/api/calls/${cold.body.newTaskId}/accept`)).status).toBe(200);
    await until('Dee is connected', () => caller.bridge?.to === `client:agent_${dee.agentId}`, h.sim);

    // Out to an external number.
    const out = await post(dee, `/api/calls/${caller.sid}/transfer`, { to: { type: 'number', number: '+15559990000' } });
    expect(out.status).toBe(200);
    await h.sim.idle();
    expect(caller.bridge?.to).toBe('+15559990000');
    expect(await state(dee)).toBe('wrap-up');
    await recordsWritten(h.app);
    const events = await h.app.ctx.db.callEvent.findMany({ where: { callSid: caller.sid, name: 'transfer' }, orderBy: { at: 'asc' } });
    expect(events.map((e) => (e.detail as { to: string; mode: string }).to)).toEqual(['agent', 'queue', 'number']);
    expect(deePhone!.offered).toHaveLength(1);
    await caller.hangup();
  });

  test('a caller hanging up on hold puts the agent in wrap-up and the call is recorded answered', async () => {
    // A clinical call needing a skill nobody else has: agents of the test above may still be available.
    const fay = await h.agent('fay@example.org', { en: 5, general: 1, nurse: 1 }, 'Fay');
    const fayPhone = await h.consolePhone(fay.agentId);
    await h.setStatus(fay, 'available');
    const caller = await h.call('+12125550172', { queue: 'clinical', requiredSkills: ['nurse'], language: 'en', reason: 'operator', verified: false });
    expect(fayPhone.offered).toHaveLength(1);
    expect((await post(fay, `/api/calls/${caller.sid}/accept`)).status).toBe(200);
    await until('Fay is connected', () => caller.bridge?.to === `client:agent_${fay.agentId}`, h.sim);
    expect((await post(fay, `/api/calls/${caller.sid}/hold`, { hold: true })).status).toBe(200);
    await h.sim.idle();
    expect(await state(fay)).toBe('busy');

    await caller.hangup();
    await until('Fay is in wrap-up', async () => (await state(fay)) === 'wrap-up', h.sim);
    const wrap = await fay.agent.put(`/api/calls/${caller.sid}/wrapup`).set('X-CSRF-Token', fay.csrf).send({ disposition: 'other', notes: 'caller hung up on hold' });
    expect(wrap.status).toBe(200);
    expect(wrap.body.available).toBe(true);
    await recordsWritten(h.app);
    const rec = await h.app.ctx.db.callRecord.findUniqueOrThrow({ where: { callSid: caller.sid } });
    expect(rec).toMatchObject({ status: 'completed', outcome: 'answered', agentId: fay.agentId });
  });

  test('acting on a call that is not yours is refused', async () => {
    const eve = await h.agent('eve@example.org', { en: 5, general: 1 }, 'Eve');
    const res = await post(eve, '/api/calls/CA0000000000000000000000000000dead/accept');
    expect(res.status).toBe(404);
    const badQueue = await post(eve, '/api/calls/CA0000000000000000000000000000dead/transfer', { to: { type: 'queue', queue: 'nowhere' } });
    expect(badQueue.status).toBe(400);
    const badNumber = await post(eve, '/api/calls/CA0000000000000000000000000000dead/transfer', { to: { type: 'number', number: '911' } });
    expect(badNumber.status).toBe(400);
  });
});
