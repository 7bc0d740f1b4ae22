import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { sweepReminders } from '../../src/reminders/reconcile';
import { TEST_ACCOUNT_SID, TEST_AUTH_TOKEN } from '../helpers/app';
import { campaignOf, CARELINE_NUMBER, expectOneCallEach, NY_OPENS, startReminderHarness, waitFor, type ReminderHarness } from './reminders-fixtures';

// A worker that dies holding claims hands them back within about a minute: its claims' leases
// (claim-lease.ts) stop being renewed, and the every-minute sweep, with its default settings,
// releases unsent claims without a lease. A live worker's claims, waiting for their pace slot, are
// left alone however long the sweep looks at them.

const CPS = 1;

function forkWorker(h: ReminderHarness): ChildProcess {
  return fork(path.join(__dirname, 'reminders-worker-child.ts'), [], {
    execArgv: ['--no-warnings', '--import', 'tsx'],
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      NODE_ENV: 'test',
      DATABASE_URL: h.app.testDb.url,
      REDIS_URL: h.ctx.redisUrl,
      REDIS_PREFIX: h.ctx.redisPrefix,
      PUBLIC_BASE_URL: h.app.baseUrl,
      TWILIO_API_URL: h.sim.restBaseUrl!,
      TWILIO_ACCOUNT_SID: TEST_ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
      CARELINE_PHONE_NUMBER: CARELINE_NUMBER,
      PRACTICE_NAME: 'Maple Clinic',
      REMINDER_CALLS_PER_SECOND: String(CPS),
      CHILD_QUEUE: h.queueName,
      CHILD_CLOCK_AT: NY_OPENS.toISOString(),
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/** Attempts claimed and not yet sent to Twilio. */
async function unsentClaims(h: ReminderHarness) {
  return h.ctx.db.reminderAttempt.findMany({ where: { status: 'dialing', callSid: null }, select: { id: true } });
}

describe('claims of a dead worker', () => {
  let h: ReminderHarness;
  let child: ChildProcess | undefined;
  beforeEach(async () => {
    h = await startReminderHarness(NY_OPENS, { REMINDER_CALLS_PER_SECOND: String(CPS) });
  });
  afterEach(async () => {
    child?.kill('SIGKILL');
    await h.close();
  });

  test('are handed back by the sweep a minute later; a live worker keeps its claims', async () => {
    const phones = await campaignOf(h, 6, '590');
    child = forkWorker(h);
    // One call a second: the child holds four claims, three of them waiting for their slots.
    await waitFor('the child dialing with claims waiting', async () => h.sim.createdCalls.length >= 1 && (await unsentClaims(h)).length >= 2, 20_000);

    // A minute on, the child alive: its waiting claims are not taken from it.
    h.clock.set(new Date(NY_OPENS.getTime() + 61_000));
    expect((await sweepReminders(h.ctx)).released).toBe(0);

    const exited = new Promise((r) => child!.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    const orphaned = (await unsentClaims(h)).map((a) => a.id);
    expect(orphaned.length).toBeGreaterThan(0);

    // The sweep as the every-minute job runs it (default options), on the same clock: once the
    // dead worker's leases lapsed, every unsent claim is released and its next attempt enqueued.
    await waitFor('the dead worker\'s unsent claims released', async () => {
      await sweepReminders(h.ctx);
      const left = await h.ctx.db.reminderAttempt.count({ where: { id: { in: orphaned }, status: 'dialing' } });
      return left === 0;
    });
    const released = await h.ctx.db.reminderAttempt.findMany({ where: { id: { in: orphaned } } });
    expect(released.map((a) => a.status)).toEqual(orphaned.map(() => 'not_placed'));

    h.startWorker({ lockDuration: 1000, stalledInterval: 500 });
    // Without the clock passing any ten-minute limit: every reminder is dialed, each once.
    await waitFor('every reminder completed', async () => {
      const rs = await h.ctx.db.reminder.findMany();
      return rs.length === 6 && rs.every((r) => r.status === 'completed');
    }, 25_000);
    expectOneCallEach(h, phones);
  });
});
