import { recordsWritten } from '../helpers/app';
import { routingTick } from '../../src/routing/escalation-worker';
import { getPresence } from '../../src/routing/presence';
import type { TwilioSim } from '../../src/sim/sim';
import { startRouting, until, type RoutingHarness } from '../e2e/routing-harness';
import { createAgent, loginAs } from '../helpers/staff';

// Whole calls on the local Twilio, through the real routing: the call records the IVR, routing and
// status callbacks write between them are complete, and the report counts them. careline's clock
// follows the local Twilio's virtual time, as production's follows Twilio's.

describe('call records of calls placed on the local Twilio', () => {
  let h: RoutingHarness;
  let sim: TwilioSim | undefined;
  const clock = { now: () => (sim ? sim.now() : new Date()) };

  beforeAll(async () => {
    h = await startRouting({ clock });
    sim = h.sim;
  });
  afterAll(async () => {
    await h.close();
  });

  test('an answered call with wrap-up and an abandoned call: complete records and the report figures', async () => {
    const ana = await h.agent('ana.rec@example.org', { en: 5, pharmacy: 3 }, 'Ana Records');
    const phone = h.phone(ana, 'answer');
    const start = h.sim.now();

    // Caller 1 waits 12 s for Ana, talks 2 min; Ana wraps up for 30 s.
    const c1 = await h.call('+12125550141', { queue: 'pharmacy', requiredSkills: ['pharmacy'], language: 'en', reason: 'refill', verified: false });
    await h.sim.idle();
    h.sim.advance(12);
    await h.setStatus(ana, 'available');
    await routingTick(h.app.ctx);
    await until('Ana answers', () => phone.offered[0]?.status === 'accepted', h.sim);
    h.sim.advance(120);
    await c1.hangup();
    await until('wrap-up', async () => (await getPresence(h.app.ctx, ana.agentId)).state === 'wrap-up', h.sim);
    h.sim.advance(30);
    const wrap = await ana.agent.put(`/api/calls/${c1.sid}/wrapup`).set('X-CSRF-Token', ana.csrf).send({ disposition: 'resolved' });
    expect(wrap.status).toBe(200);
    // The wrap-up changed the call record: audited like the same change through PATCH /api/call-records.
    const entries = await h.app.ctx.db.auditEntry.findMany({ where: { entity: 'call_record', entityId: c1.sid, action: 'update' } });
    expect(entries).toEqual([expect.objectContaining({ actorType: 'agent', actorId: ana.agentId, detail: expect.objectContaining({ fields: ['disposition'], via: 'wrapup' }) })]);
    expect(entries[0]!.ip).toBeTruthy();
    await h.setStatus(ana, 'offline');

    // Caller 2 finds nobody and hangs up after 40 s.
    const c2 = await h.call('+12125550142', { queue: 'pharmacy', requiredSkills: ['pharmacy'], language: 'en', reason: 'refill', verified: false });
    await h.sim.idle();
    h.sim.advance(40);
    await c2.hangup();
    await h.sim.idle();

    await recordsWritten(h.app);
    const r1 = await h.app.ctx.db.callRecord.findUniqueOrThrow({ where: { callSid: c1.sid } });
    expect(r1).toMatchObject({ direction: 'inbound', from: '+12125550141', status: 'completed', queueName: 'pharmacy', intent: 'refill', agentId: ana.agentId, outcome: 'answered', disposition: 'resolved' });
    for (const k of ['startedAt', 'ivrEndedAt', 'queueEnteredAt', 'queueExitedAt', 'agentAnsweredAt', 'endedAt'] as const) expect(r1[k]).toBeInstanceOf(Date);
    expect(r1.waitSec).toBeGreaterThanOrEqual(12);
    expect(r1.waitSec).toBeLessThanOrEqual(15); // virtual time plus the real time the steps took
    expect(r1.handleSec).toBeGreaterThanOrEqual(150); // 120 s talk + 30 s wrap-up
    expect(r1.handleSec).toBeLessThanOrEqual(155);

    const r2 = await h.app.ctx.db.callRecord.findUniqueOrThrow({ where: { callSid: c2.sid } });
    expect(r2).toMatchObject({ status: 'completed', queueName: 'pharmacy', agentId: null, outcome: 'abandoned' });
    expect(r2.waitSec).toBeGreaterThanOrEqual(40);
    expect(r2.waitSec).toBeLessThanOrEqual(43);

    await createAgent(h.app.ctx.db, { email: 'sup.rec@example.org', name: 'Sup', roles: ['supervisor'] });
    const sup = await loginAs(h.app, 'sup.rec@example.org');
    const from = new Date(start.getTime() - 60_000).toISOString();
    const to = new Date(h.sim.now().getTime() + 60_000).toISOString();
    const report = await sup.agent.get('/api/reports').query({ from, to });
    expect(report.status).toBe(200);
    expect(report.body.totals).toMatchObject({ inbound: 2, outbound: 0, queued: 2, answered: 1, answeredWithinThreshold: 1, abandoned: 1, abandonedAfterThreshold: 1, serviceLevelPct: 50, abandonmentRatePct: 50 });
    expect(report.body.perAgent).toEqual([expect.objectContaining({ agentId: ana.agentId, name: 'Ana Records', answered: 1 })]);
  });
});
