import { fork, spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { createRedis } from '../../src/db/redis';
import { startCalling } from '../../src/reminders/attempt-outcome';
import { claimAttempt } from '../../src/reminders/claim';
import { launchCampaign } from '../../src/reminders/campaign-launch';
import { dialReminder } from '../../src/reminders/dial';
import { sweepReminders } from '../../src/reminders/reconcile';
import { TEST_ACCOUNT_SID, TEST_AUTH_TOKEN } from '../helpers/app';
import { addPatient, addPrescription, CARELINE_NUMBER, NY_OPENS, startReminderHarness, waitFor, type ReminderHarness } from './reminders-fixtures';

// A reminder is dialed at most once per attempt and none is lost: with two workers, with a worker
// process killed mid-campaign, and with Redis restarting empty. PostgreSQL's claim decides; the
// sweep repairs what the crash or the outage left.

async function campaignOf(h: ReminderHarness, n: number, prefix: string) {
  const phones: string[] = [];
  for (let i = 0; i < n; i++) {
    const phone = `+1212${prefix}${String(i).padStart(4, '0')}`;
    phones.push(phone);
    h.sim.setNumberBehaviour(phone, 'machine');
    const p = await addPatient(h.ctx, { given: `P${i}`, timeZone: 'America/New_York', phone });
    await addPrescription(h.ctx, p.id, NY_OPENS, 24);
  }
  const s = await launchCampaign(h.ctx, { kind: 'refill', maxConcurrency: 50 });
  expect(s.created).toBe(n);
  return phones;
}

/**
 * Sweeps (as the every-minute job does) until every reminder is settled. When nothing has moved for
 * a while (the leftovers of a crash) the clock jumps 4 minutes, towards the staleness limits.
 */
async function settleAll(h: ReminderHarness, count: number) {
  let lastChange = Date.now();
  let last = '';
  return waitFor(
    'every reminder completed',
    async () => {
      await sweepReminders(h.ctx, { graceMs: 0 });
      const rs = await h.ctx.db.reminder.findMany({ include: { attemptLog: true }, orderBy: { id: 'asc' } });
      const state = rs.map((r) => `${r.status}/${r.attemptLog.map((a) => a.status + (a.callSid ? '+' : '')).join(',')}`).join(' ');
      if (state !== last) {
        last = state;
        lastChange = Date.now();
      } else if (Date.now() - lastChange > 1500) {
        h.clock.set(new Date(h.clock.now().getTime() + 4 * 60_000));
        lastChange = Date.now();
      }
      return rs.length === count && rs.every((r) => r.status === 'completed') && rs;
    },
    25_000,
  );
}

function expectOneCallEach(h: ReminderHarness, phones: string[]) {
  const perPhone = new Map<string, number>();
  for (const c of h.sim.createdCalls) perPhone.set(c.to, (perPhone.get(c.to) ?? 0) + 1);
  expect(phones.filter((p) => perPhone.get(p) !== 1)).toEqual([]);
  expect(h.sim.createdCalls).toHaveLength(phones.length);
}

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

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function startRedisServer(port: number): Promise<ChildProcess> {
  // No persistence: a restart comes back empty, the worst case (every job gone).
  const p = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  return waitFor('redis-server up', async () => {
    const c = createRedis(`redis://127.0.0.1:${port}`);
    const ok = await c.ping().then(() => true, () => false);
    c.disconnect();
    return ok && p;
  });
}

describe('Redis restarting empty', () => {
  test('every reminder is still dialed exactly once', async () => {
    const port = await freePort();
    let server = await startRedisServer(port);
    const url = `redis://127.0.0.1:${port}`;
    const redis = createRedis(url, 'careline:restart:');
    const h = await startReminderHarness(NY_OPENS, { REMINDER_CALLS_PER_SECOND: '8' }, { redis, url, prefix: 'careline:restart:', close: async () => redis.disconnect() });
    try {
      const phones = await campaignOf(h, 16, '561');
      h.startWorker({ concurrency: 4 });
      await waitFor('some calls placed', async () => h.sim.createdCalls.length >= 4);
      await redis.set('marker', 'before the restart');
      server.kill('SIGKILL');
      await new Promise((r) => server.once('exit', r));
      await new Promise((r) => setTimeout(r, 300));
      server = await startRedisServer(port);
      expect(await redis.get('marker')).toBeNull();

      const rs = await settleAll(h, 16);
      expectOneCallEach(h, phones);
      expect(rs.every((r) => r.attemptLog.filter((a) => a.callSid).length === 1)).toBe(true);
    } finally {
      await h.close();
      redis.disconnect();
      server.kill('SIGKILL');
    }
  });
});

describe('pacing', () => {
  test('two workers together never exceed the global calls-per-second limit', async () => {
    const cps = 4;
    const h = await startReminderHarness(NY_OPENS, { REMINDER_CALLS_PER_SECOND: String(cps) });
    try {
      const phones = await campaignOf(h, 12, '562');
      // When each request to Twilio leaves careline (the pace careline controls; the local Twilio's
      // receive times add this busy test process's own scheduling delays).
      const sent: number[] = [];
      const calls = h.ctx.twilio.calls;
      const create = calls.create.bind(calls);
      calls.create = ((...args: Parameters<typeof create>) => {
        sent.push(Date.now());
        return create(...args);
      }) as typeof create;
      h.startWorker({ concurrency: 6 });
      h.startWorker({ concurrency: 6 });
      await settleAll(h, 12);
      expectOneCallEach(h, phones);
      // In any one-second span at most `cps` requests.
      const busiest = Math.max(...sent.map((t) => sent.filter((u) => u >= t && u < t + 1000).length));
      if (process.env.SHOW) console.log(busiest, sent.map((t, i) => t - (sent[i - 1] ?? t)).join(' '));
      expect(sent).toHaveLength(12);
      expect(busiest).toBeLessThanOrEqual(cps);
      expect(busiest).toBeGreaterThan(1);
    } finally {
      await h.close();
    }
  });
});
