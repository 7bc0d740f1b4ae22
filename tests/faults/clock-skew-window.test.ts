import { DateTime } from 'luxon';
import type { Context } from '../../src/context';
import { launchCampaign } from '../../src/reminders/campaign-launch';
import { dialReminder } from '../../src/reminders/dial';
import { sweepReminders } from '../../src/reminders/reconcile';
import { closeReminderQueue, initReminderQueue, reminderJobId } from '../../src/reminders/reminder-queue';
import { startReminderWorker } from '../../src/reminders/reminder-worker';
import { addPatient, addPrescription, settableClock, startReminderHarness, type ReminderHarness, type SettableClock } from '../integration/reminders-fixtures';
import { waitFor } from './fault-helpers';

// Fault: the clocks of careline's processes disagree across the edge of a patient's calling window
// (08:00-21:00 in the patient's own zone). The app (which launches campaigns and sweeps due
// reminders) and the reminder worker each take time from their own clock (ctx.clock); here two fake
// clocks a couple of seconds apart. What must hold: no reminder call is placed outside the window by
// the clock of the process that places it, a clock running behind is covered by the ring margin,
// and the reminder waits for the next opening and is then dialed exactly once.

const NY = '+12125557801';
const LA = '+13105557802';
/** Tuesday 24 November 2026, 20:59:59 in New York (17:59:59 in Los Angeles). */
const APP_AT = new Date('2026-11-25T01:59:59Z');
/** Two seconds later: 21:00:01 in New York, the window is closed there. */
const WORKER_AT = new Date('2026-11-25T02:00:01Z');
/** Wednesday 08:00 in New York: the next opening. */
const NY_OPENING = new Date('2026-11-25T13:00:00Z');

const nyTime = (d: Date) => DateTime.fromJSDate(d, { zone: 'America/New_York' }).toFormat('HH:mm:ss');

describe('clock skew across a calling-window edge', () => {
  let h: ReminderHarness;
  const skewed: Context[] = [];
  /** A context of another process: same database, Redis and queue, its own clock. */
  const processWith = (clock: SettableClock): Context => {
    const ctx = { ...h.ctx, clock };
    initReminderQueue(ctx, { name: h.queueName });
    skewed.push(ctx);
    return ctx;
  };

  beforeAll(async () => {
    h = await startReminderHarness(APP_AT);
  });
  afterAll(async () => {
    for (const ctx of skewed) await closeReminderQueue(ctx);
    await h.close();
  });

  test('a job launched at 20:59:59 runs on a worker whose clock says 21:00:01: New York waits for 08:00, then is dialed once', async () => {
    for (const [given, phone, timeZone] of [['Nia', NY, 'America/New_York'], ['Lou', LA, 'America/Los_Angeles']] as const) {
      h.sim.setNumberBehaviour(phone, 'machine');
      const p = await addPatient(h.ctx, { given, timeZone, phone });
      await addPrescription(h.ctx, p.id, APP_AT, 24);
    }
    const dialedAt = new Map<string, string>();
    const workerClock = settableClock(WORKER_AT);
    const worker = processWith(workerClock);
    // When the worker asks Twilio for each call, by its own clock.
    const create = worker.twilio.calls.create.bind(worker.twilio.calls);
    worker.twilio.calls.create = ((...args: Parameters<typeof create>) => {
      dialedAt.set(String(args[0].to), nyTime(workerClock.now()));
      return create(...args);
    }) as typeof create;

    // The app launches at 20:59:59 New York time: both first attempts are enqueued to run now.
    expect((await launchCampaign(h.ctx, { kind: 'refill' })).created).toBe(2);
    const ny = await h.ctx.db.reminder.findFirstOrThrow({ where: { phone: NY } });
    const w = startReminderWorker(worker, { name: h.queueName });
    try {
      // Los Angeles (18:00:01 there) is dialed; New York is put off to its next opening.
      await waitFor('the Los Angeles call', async () => h.sim.createdCalls.find((c) => c.to === LA));
      await waitFor('New York deferred to 08:00', async () => {
        const r = await h.ctx.db.reminder.findUniqueOrThrow({ where: { id: ny.id } });
        return r.nextAttemptAt.getTime() === NY_OPENING.getTime() && r;
      });
      const queue = initReminderQueue(worker, { name: h.queueName });
      expect(await (await queue.getJob(reminderJobId(ny.id, 1)))!.isDelayed()).toBe(true);
      expect(await h.ctx.db.reminder.findUniqueOrThrow({ where: { id: ny.id } })).toMatchObject({ status: 'pending', attempts: 0 });
      expect(h.sim.createdCalls.map((c) => c.to)).toEqual([LA]);

      // The other way round: a worker whose clock runs behind (20:59:45 while it is really later)
      // still does not start a call that would ring past 21:00.
      const behind = processWith(settableClock(new Date('2026-11-25T01:59:45Z')));
      expect(await dialReminder(behind, { reminderId: ny.id, attempt: 1 })).toMatchObject({ kind: 'wait', until: NY_OPENING });
      expect(h.sim.createdCalls.map((c) => c.to)).toEqual([LA]);

      // Across the opening edge: the app's sweep (08:00:01) finds New York due and runs its job, but
      // the worker's clock says 07:59:59: it waits again.
      workerClock.set(new Date(NY_OPENING.getTime() - 1000));
      const sweeper = processWith(settableClock(new Date(NY_OPENING.getTime() + 1000)));
      const swept = Date.now();
      expect((await sweepReminders(sweeper, { graceMs: 0 })).requeued).toBe(1);
      await waitFor('the worker looked at New York again', async () => {
        const job = await queue.getJob(reminderJobId(ny.id, 1));
        return (job?.processedOn ?? 0) >= swept && (await job!.isDelayed());
      });
      expect(h.sim.createdCalls.map((c) => c.to)).toEqual([LA]);

      // 08:00 by the worker's clock too: dialed, once.
      workerClock.set(NY_OPENING);
      await sweepReminders(sweeper, { graceMs: 0 });
      await waitFor('the New York call', async () => h.sim.createdCalls.find((c) => c.to === NY));
      const done = await waitFor('both reminders completed', async () => {
        await h.sim.idle();
        const rs = await h.ctx.db.reminder.findMany({ include: { attemptLog: true } });
        return rs.every((r) => r.status === 'completed') && rs;
      });
      expect(done.every((r) => r.attemptLog.length === 1)).toBe(true);
      expect(h.sim.createdCalls.map((c) => c.to).sort()).toEqual([LA, NY].sort());
      expect(dialedAt.get(NY)).toBe('08:00:00');
      expect(dialedAt.get(LA)).toBe('21:00:01'); // 18:00:01 in Los Angeles
    } finally {
      await w.close();
    }
  });
});
