import { Queue } from 'bullmq';
import { createBlockingRedis } from '../../src/db/redis';
import { CAMPAIGN_QUEUE, startReminderWorkers } from '../../src/reminders/campaign-scheduler';
import { launchCampaign } from '../../src/reminders/campaign-launch';
import { sweepReminders } from '../../src/reminders/reconcile';
import { addPatient, addPrescription, NY_OPENS, startReminderHarness, waitFor, type ReminderHarness } from './reminders-fixtures';

// What Twilio's errors and lost callbacks do to a reminder, and the daily job schedulers.

describe('Twilio errors and lost callbacks', () => {
  let h: ReminderHarness;
  beforeEach(async () => {
    h = await startReminderHarness(NY_OPENS);
  });
  afterEach(async () => {
    await h.close();
  });

  async function oneReminder(phone: string) {
    h.sim.setNumberBehaviour(phone, 'machine');
    const p = await addPatient(h.ctx, { given: 'Eve', timeZone: 'America/New_York', phone });
    await addPrescription(h.ctx, p.id, NY_OPENS, 24);
    await launchCampaign(h.ctx, { kind: 'refill' });
  }

  test('a 503 from Twilio places no call; the next attempt dials once after a backoff', async () => {
    const phone = '+12125557751';
    await oneReminder(phone);
    h.sim.failNext('POST', /Calls\.json/, 503);
    h.startWorker();
    const r = await waitFor('the first attempt not placed', async () => {
      const x = await h.ctx.db.reminder.findFirst({ where: { phone } });
      return x?.attempts === 1 && x.status === 'pending' && x;
    });
    expect(r.nextAttemptAt.getTime()).toBe(NY_OPENS.getTime() + 30_000);
    expect(h.sim.createdCalls).toHaveLength(0);
    h.clock.set(new Date(NY_OPENS.getTime() + 30_000));
    await sweepReminders(h.ctx, { graceMs: 0 });
    const done = await waitFor('the reminder completed', async () => {
      const x = await h.ctx.db.reminder.findFirst({ where: { phone }, include: { attemptLog: { orderBy: { attempt: 'asc' } } } });
      return x?.status === 'completed' && x;
    });
    expect(done.attemptLog.map((a) => [a.attempt, a.status])).toEqual([[1, 'not_placed'], [2, 'machine']]);
    expect(h.sim.createdCalls).toHaveLength(1);
  });

  test('Twilio refusing the number fails the reminder without retrying', async () => {
    const phone = '+12125557752';
    await oneReminder(phone);
    h.sim.failNext('POST', /Calls\.json/, 400);
    h.startWorker();
    const r = await waitFor('the reminder failed', async () => {
      const x = await h.ctx.db.reminder.findFirst({ where: { phone }, include: { attemptLog: true } });
      return x?.status === 'failed' && x;
    });
    expect(r.outcome).toMatch(/^dial_rejected_/);
    expect(r.attemptLog.map((a) => a.status)).toEqual(['failed']);
  });

  test('a call whose final status callback never came is finished from Twilio\'s record', async () => {
    const phone = '+12125557753';
    await oneReminder(phone);
    h.startWorker();
    const created = await waitFor('the call', async () => h.sim.createdCalls[0]);
    // Every callback after the call was placed is lost.
    h.sim.statusCallbacks.hold = true;
    await waitFor('the call over at Twilio', async () => {
      await h.sim.idle();
      return h.sim.call(created.sid)?.ended;
    });
    expect((await h.ctx.db.reminder.findFirstOrThrow({ where: { phone } })).status).toBe('dialing');
    h.clock.set(new Date(NY_OPENS.getTime() + 31 * 60_000));
    expect((await sweepReminders(h.ctx, { graceMs: 0 })).finished).toBe(1);
    const r = await h.ctx.db.reminder.findFirstOrThrow({ where: { phone } });
    expect([r.status, r.outcome]).toEqual(['completed', 'voicemail']);
  });
});

describe('daily campaigns', () => {
  test('the worker role schedules the daily campaigns and the sweep, and a campaign job creates a campaign', async () => {
    const h = await startReminderHarness(NY_OPENS);
    const workers = await startReminderWorkers(h.ctx);
    const connection = createBlockingRedis(h.ctx.redisUrl);
    const queue = new Queue(CAMPAIGN_QUEUE, { connection, prefix: `${h.ctx.redisPrefix}bull` });
    try {
      const schedulers = await queue.getJobSchedulers();
      expect(schedulers.map((s) => s.key).sort()).toEqual(['daily-appointment-24h', 'daily-appointment-48h', 'daily-refill', 'reminder-sweep']);
      expect(schedulers.find((s) => s.key === 'daily-refill')).toMatchObject({ pattern: '0 9 * * *', tz: 'America/New_York' });
      const p = await addPatient(h.ctx, { given: 'Sched', timeZone: 'America/New_York', phone: '+12125557761' });
      await addPrescription(h.ctx, p.id, NY_OPENS, 24);
      await queue.add('campaign', { kind: 'refill' });
      // The campaign row comes first, its reminders right after: wait for both.
      const c = await waitFor('a campaign with its reminder', async () => {
        const found = await h.ctx.db.campaign.findFirst({ include: { reminders: true } });
        return found?.reminders.length ? found : null;
      });
      expect(c.kind).toBe('refill');
      expect(c.reminders).toHaveLength(1);
    } finally {
      await queue.close();
      connection.disconnect();
      await workers.close();
      await h.close();
    }
  });
});
