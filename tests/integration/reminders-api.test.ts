import request from 'supertest';
import { launchCampaign } from '../../src/reminders/campaign-launch';
import { sweepReminders } from '../../src/reminders/reconcile';
import { createAgent, loginAs } from '../helpers/staff';
import { addPatient, addPrescription, NY_OPENS, startReminderHarness, waitFor, type ReminderHarness } from './reminders-fixtures';

// /api/campaigns and appointment campaigns: who may use it, which appointments a lead time picks,
// which patients are skipped, reruns not doubling, staff opt-out and cancel taking effect at once;
// and the one-call-a-day limit across two campaigns.

const hours = (n: number) => new Date(NY_OPENS.getTime() + n * 3_600_000);

describe('/api/campaigns', () => {
  let h: ReminderHarness;
  beforeAll(async () => {
    h = await startReminderHarness(NY_OPENS);
    await createAgent(h.ctx.db, { email: 'sup@test.example', name: 'Sup', roles: ['supervisor'] });
    await createAgent(h.ctx.db, { email: 'agent@test.example', name: 'Agent', roles: ['agent'] });
    const add = async (given: string, phone: string, startInHours: number, extra: { deceased?: boolean; dialable?: boolean; status?: string } = {}) => {
      const p = await addPatient(h.ctx, { given, timeZone: 'America/New_York', phone, deceased: extra.deceased, dialable: extra.dialable });
      await h.ctx.db.appointment.create({ data: { patientId: p.id, start: hours(startInHours), end: hours(startInHours + 0.5), status: extra.status ?? 'booked', reason: 'Follow-up' } });
      return p;
    };
    await add('In48', '+12125557721', 30);
    await add('In48b', '+12125557722', 47);
    await add('In24', '+12125557723', 10);
    await add('Later', '+12125557724', 60);
    await add('Cancelled', '+12125557725', 30, { status: 'cancelled' });
    await add('Deceased', '+12125557726', 30, { deceased: true });
    await add('NoPhone', '+12125557727', 30, { dialable: false });
  });
  afterAll(async () => {
    await h.close();
  });

  test('only supervisors and admins; not logged in is 401', async () => {
    expect((await request(h.app.server).get('/api/campaigns')).status).toBe(401);
    const agent = await loginAs(h.app, 'agent@test.example');
    expect((await agent.agent.get('/api/campaigns')).status).toBe(403);
  });

  test('a 48-hour appointment campaign picks appointments 24-48 h ahead, skips who must be skipped, and a rerun adds nothing', async () => {
    const sup = await loginAs(h.app, 'sup@test.example');
    const post = (body: object) => sup.agent.post('/api/campaigns').set('X-CSRF-Token', sup.csrf).send(body);

    const dry = await post({ kind: 'appointment', leadHours: 48, dryRun: true });
    expect(dry.status).toBe(201);
    expect(dry.body).toMatchObject({ dryRun: true, candidates: 4, created: 2, skipped: { deceased: 1, no_dialable_phone: 1, opted_out: 0, duplicate: 0 } });
    expect(await h.ctx.db.reminder.count()).toBe(0);

    const real = await post({ kind: 'appointment', leadHours: 48, windowStart: '09:00', maxAttempts: 2 });
    expect(real.status).toBe(201);
    expect(real.body).toMatchObject({ dryRun: false, created: 2 });
    const again = await post({ kind: 'appointment', leadHours: 48 });
    expect(again.body).toMatchObject({ created: 0, skipped: { duplicate: 2 } });
    const in24 = await post({ kind: 'appointment', leadHours: 24 });
    expect(in24.body).toMatchObject({ created: 1 });

    const detail = await sup.agent.get(`/api/campaigns/${real.body.campaignId}`);
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({ kind: 'appointment', leadHours: 48, windowStart: '09:00', maxAttempts: 2, reminders: { pending: 2 } });
    const list = await sup.agent.get('/api/campaigns');
    expect(list.body.campaigns).toHaveLength(4);

    expect((await post({ kind: 'appointment', windowStart: '25:00' })).status).toBe(400);
  });

  test('a staff opt-out stops waiting reminders at once; cancelling skips the rest', async () => {
    const sup = await loginAs(h.app, 'sup@test.example');
    const res = await sup.agent.post('/api/campaigns/opt-outs').set('X-CSRF-Token', sup.csrf).send({ phone: '(212) 555-7721' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ phone: '+12125557721', stoppedReminders: 1 });
    expect(await h.ctx.db.optOut.findUnique({ where: { phone: '+12125557721' } })).toMatchObject({ source: 'staff', createdBy: sup.agentId });
    expect((await h.ctx.db.reminder.findFirstOrThrow({ where: { phone: '+12125557721' } })).status).toBe('opted_out');
    expect((await sup.agent.post('/api/campaigns/opt-outs').set('X-CSRF-Token', sup.csrf).send({ phone: '12345' })).status).toBe(400);

    const campaign = await h.ctx.db.campaign.findFirstOrThrow({ where: { leadHours: 48, dryRun: false }, orderBy: { createdAt: 'asc' } });
    const cancel = await sup.agent.post(`/api/campaigns/${campaign.id}/cancel`).set('X-CSRF-Token', sup.csrf).send({});
    expect(cancel.body).toMatchObject({ status: 'cancelled', stoppedReminders: 1 });
    expect((await h.ctx.db.reminder.findFirstOrThrow({ where: { phone: '+12125557722' } })).status).toBe('skipped');
    expect((await sup.agent.post('/api/campaigns/nope/cancel').set('X-CSRF-Token', sup.csrf).send({})).status).toBe(404);
    expect(await h.ctx.db.auditEntry.count({ where: { entity: { in: ['campaign', 'opt_out'] } } })).toBeGreaterThanOrEqual(5);
  });
});

describe('one reminder call a day per patient, across campaigns', () => {
  let h: ReminderHarness;
  beforeAll(async () => {
    h = await startReminderHarness(NY_OPENS);
    h.startWorker();
  });
  afterAll(async () => {
    await h.close();
  });

  test('a refill and an appointment reminder for one patient are called on two days', async () => {
    const phone = '+12125557731';
    h.sim.setNumberBehaviour(phone, 'machine');
    const p = await addPatient(h.ctx, { given: 'Both', timeZone: 'America/New_York', phone });
    await addPrescription(h.ctx, p.id, NY_OPENS, 24);
    await h.ctx.db.appointment.create({ data: { patientId: p.id, start: hours(40), end: hours(40.5) } });
    await launchCampaign(h.ctx, { kind: 'refill' });
    await launchCampaign(h.ctx, { kind: 'appointment', leadHours: 48 });

    const second = await waitFor('one call made and the other reminder deferred', async () => {
      const rs = await h.ctx.db.reminder.findMany({ where: { patientId: p.id } });
      const waiting = rs.find((r) => r.status === 'pending' && r.nextAttemptAt.toISOString() === '2026-11-25T13:00:00.000Z');
      return rs.some((r) => r.status === 'completed') && waiting;
    });
    expect(h.sim.createdCalls.filter((c) => c.to === phone)).toHaveLength(1);

    h.clock.set('2026-11-25T13:00:00Z');
    await sweepReminders(h.ctx, { graceMs: 0 });
    await waitFor('the second reminder completed', async () => (await h.ctx.db.reminder.findUnique({ where: { id: second.id } }))?.status === 'completed');
    expect(h.sim.createdCalls.filter((c) => c.to === phone)).toHaveLength(2);
  });
});
