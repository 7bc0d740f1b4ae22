import { createAgent, loginAs } from '../helpers/staff';
import { campaignOf, NY_OPENS, startReminderHarness, waitFor, type ReminderHarness } from './reminders-fixtures';

// An opt-out stops reminders already claimed by a worker and waiting for their pacing slot, not
// only the pending ones: the number is never dialed after the opt-out was answered.

describe('an opt-out while reminders wait for their pacing slot', () => {
  let h: ReminderHarness;
  beforeEach(async () => {
    // One call a second: three claimed reminders wait up to two seconds for their slots.
    h = await startReminderHarness(NY_OPENS, { REMINDER_CALLS_PER_SECOND: '1' });
    await createAgent(h.ctx.db, { email: 'sup@test.example', name: 'Sup', roles: ['supervisor'] });
  });
  afterEach(async () => {
    await h.close();
  });

  test('a staff opt-out of a claimed, not yet dialed number means it is never dialed', async () => {
    const sup = await loginAs(h.app, 'sup@test.example');
    const phones = await campaignOf(h, 3, '581');
    h.startWorker({ concurrency: 3 });
    // All three claimed, the first one dialed: the other two wait for their slots.
    const waiting = await waitFor('a claim waiting for its slot', async () => {
      const attempts = await h.ctx.db.reminderAttempt.findMany({ include: { reminder: { select: { phone: true } } } });
      if (attempts.length < 3 || h.sim.createdCalls.length < 1) return null;
      const dialed = new Set(h.sim.createdCalls.map((c) => c.to));
      return attempts.find((a) => a.status === 'dialing' && !dialed.has(a.reminder.phone));
    });
    const phone = waiting.reminder.phone;

    const res = await sup.agent.post('/api/campaigns/opt-outs').set('X-CSRF-Token', sup.csrf).send({ phone });
    expect(res.status).toBe(201);

    const others = phones.filter((p) => p !== phone);
    await waitFor('the other two dialed', async () => others.every((p) => h.sim.createdCalls.some((c) => c.to === p)), 20_000);
    // Past every slot the claims had (three at one a second) and any sweep: never dialed.
    await settleAllBut(h, phone);
    expect(h.sim.createdCalls.filter((c) => c.to === phone)).toEqual([]);
    expect(res.body).toEqual({ phone, stoppedReminders: 1 });
    const r = await h.ctx.db.reminder.findFirstOrThrow({ where: { phone }, include: { attemptLog: true } });
    expect([r.status, r.outcome]).toEqual(['opted_out', 'opted_out']);
    expect(r.attemptLog.map((a) => a.status)).toEqual(['not_placed']);
  });
});

/** Waits until every reminder but the opted-out one completed (settleAll expects all completed). */
async function settleAllBut(h: ReminderHarness, phone: string) {
  await waitFor('the other reminders completed', async () => {
    const rs = await h.ctx.db.reminder.findMany({ where: { phone: { not: phone } } });
    return rs.every((r) => r.status === 'completed');
  }, 20_000);
}
