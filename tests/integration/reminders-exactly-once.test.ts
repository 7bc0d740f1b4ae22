import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { startCalling } from '../../src/reminders/attempt-outcome';
import { claimAttempt } from '../../src/reminders/claim';
import { dialReminder } from '../../src/reminders/dial';
import { sweepReminders } from '../../src/reminders/reconcile';
import { TEST_ACCOUNT_SID, TEST_AUTH_TOKEN } from '../helpers/app';
import { campaignOf, CARELINE_NUMBER, expectOneCallEach, NY_OPENS, settleAll, startReminderHarness, waitFor, type ReminderHarness } from './reminders-fixtures';

// A reminder is dialed at most once per attempt and none is lost: with two workers and with a worker
// process killed mid-campaign (Redis restarting: reminders-outage.test.ts). PostgreSQL's claim decides; the
// sweep repairs what the crash or the outage left.

describe('two workers', () => {
  let h: ReminderHarness;
  beforeEach(async () => {
    h = await startReminderHarness(NY_OPENS);
  });
  afterEach(async () => {
    await h.close();
  });

  test('the same attempt run by two workers at once is dialed once', async () => {
    const [phone] = await campaignOf(h, 1, '556');
    const r = await h.ctx.db.reminder.findFirstOrThrow({ where: { phone } });
    const results = await Promise.all([dialReminder(h.ctx, { reminderId: r.id, attempt: 1 }), dialReminder(h.ctx, { reminderId: r.id, attempt: 1 })]);
    expect(results.map((x) => x.kind === 'done' && x.reason).sort()).toEqual(['claimed elsewhere', 'dialed']);
    expect(h.sim.createdCalls.filter((c) => c.to === phone)).toHaveLength(1);
    await settleAll(h, 1);
  });

  test('a campaign worked by two workers dials every reminder exactly once', async () => {
    const phones = await campaignOf(h, 16, '557');
    h.startWorker({ concurrency: 4 });
    h.startWorker({ concurrency: 4 });
    const rs = await settleAll(h, 16);
    expectOneCallEach(h, phones);
    expect(rs.every((r) => r.attemptLog.length === 1 && r.attemptLog[0]!.callSid)).toBe(true);
  });
});

describe('a worker crash', () => {
  let h: ReminderHarness;
  let child: ChildProcess | undefined;
  beforeEach(async () => {
    h = await startReminderHarness(NY_OPENS, { REMINDER_CALLS_PER_SECOND: '8' });
  });
  afterEach(async () => {
    child?.kill('SIGKILL');
    await h.close();
  });

  test('a claim whose worker died before dialing is released and dialed once by the next attempt', async () => {
    const [phone] = await campaignOf(h, 1, '558');
    const r = await h.ctx.db.reminder.findFirstOrThrow({ where: { phone } });
    const c = await claimAttempt(h.ctx, { reminderId: r.id, attempt: 1, campaignId: r.campaignId, maxConcurrency: 5, patientId: r.patientId, phone, timeZone: r.timeZone });
    expect(c.kind).toBe('claimed');
    // The job is retried (stalled) while the claim is young: it must not dial.
    expect(await dialReminder(h.ctx, { reminderId: r.id, attempt: 1 })).toMatchObject({ kind: 'done' });
    expect(h.sim.createdCalls).toHaveLength(0);
    h.startWorker();
    const rs = await settleAll(h, 1);
    expect(rs[0]!.attemptLog.map((a) => [a.attempt, a.status]).sort()).toEqual([[1, 'not_placed'], [2, 'machine']]);
    expectOneCallEach(h, [phone]);
  });

  test('a call Twilio made whose SID the dead worker never wrote is linked, never dialed again', async () => {
    const [phone] = await campaignOf(h, 1, '559');
    const r = await h.ctx.db.reminder.findFirstOrThrow({ where: { phone } });
    await claimAttempt(h.ctx, { reminderId: r.id, attempt: 1, campaignId: r.campaignId, maxConcurrency: 5, patientId: r.patientId, phone, timeZone: r.timeZone });
    expect(await startCalling(h.ctx, { reminderId: r.id, attempt: 1 })).toBe(true);
    // The worker reached Twilio and died before the answer was written (and no callback came back).
    const call = await h.ctx.twilio.calls.create({ to: phone, from: CARELINE_NUMBER, twiml: '<Response><Hangup/></Response>' });
    await h.sim.idle();
    h.startWorker();
    h.clock.set(new Date(NY_OPENS.getTime() + 10 * 60_000));
    const result = await sweepReminders(h.ctx, { graceMs: 0 });
    expect(result.linked).toBe(1);
    const rs = await settleAll(h, 1);
    expect(rs[0]!.attemptLog.map((a) => [a.attempt, a.callSid])).toEqual([[1, call.sid]]);
    expect(h.sim.createdCalls).toHaveLength(1);
  });

  test('SIGKILL of a worker process mid-campaign loses and duplicates nothing', async () => {
    const phones = await campaignOf(h, 16, '560');
    child = fork(path.join(__dirname, 'reminders-worker-child.ts'), [], {
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
        REMINDER_CALLS_PER_SECOND: '8',
        CHILD_QUEUE: h.queueName,
        CHILD_CLOCK_AT: NY_OPENS.toISOString(),
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    await waitFor('the child dialing', async () => h.sim.createdCalls.length >= 4, 20_000);
    const exited = new Promise((r) => child!.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    const dialedByChild = h.sim.createdCalls.length;
    expect(dialedByChild).toBeLessThan(16);

    h.startWorker({ lockDuration: 1000, stalledInterval: 500 });
    const rs = await settleAll(h, 16);
    expectOneCallEach(h, phones);
    expect(rs.every((r) => r.attemptLog.filter((a) => a.callSid).length === 1)).toBe(true);
  });
});

