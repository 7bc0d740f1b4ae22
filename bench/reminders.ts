import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DateTime } from 'luxon';
import { Client } from 'pg';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';
import type { Context } from '../src/context';
import { createDb } from '../src/db/client';
import { createRedis } from '../src/db/redis';
import { createLogger } from '../src/log';
import { isInsideWindow, windowFor } from '../src/reminders/calling-window';
import { launchCampaign } from '../src/reminders/campaign-launch';
import { closeReminderQueue, initReminderQueue } from '../src/reminders/reminder-queue';
import { startReminderWorker } from '../src/reminders/reminder-worker';
import { TwilioSim } from '../src/sim';
import { createTwilioRest } from '../src/telephony/twilio-rest';
import { ACCOUNT_SID, AUTH_TOKEN, PG_URL, REDIS_URL, freshDatabase } from './lib/services';
import { fmt, table } from './lib/stats';

// Reminders at scale against the local Twilio's fake REST API: COUNT reminders over eight US time
// zones, two workers sharing the global calls-per-second limit, dialing for SECONDS. The fake clock
// starts at 20:59:00 in New York, so New York's window closes 30 s in (a call must still ring inside
// it), Puerto Rico (21:59) is closed throughout and the other zones are open: the figures show the
// pace held, no call outside a window, no number dialed twice. The limit is set below what this
// process can dial, so that it binds.
const COUNT = Number(process.env.BENCH_REMINDERS ?? 10_000);
const CPS = Number(process.env.BENCH_REMINDER_CPS ?? 10);
const SECONDS = Number(process.env.BENCH_REMINDER_SECONDS ?? 120);
const WORKER_CONCURRENCY = 10;
const ZONES: Array<[string, string]> = [
  ['America/New_York', '212'],
  ['America/Chicago', '312'],
  ['America/Denver', '303'],
  ['America/Phoenix', '602'],
  ['America/Los_Angeles', '213'],
  ['America/Anchorage', '907'],
  ['Pacific/Honolulu', '808'],
  ['America/Puerto_Rico', '787'],
];
/** Tuesday 1 December 2026, 20:59:00 in New York. */
const START_AT = new Date('2026-12-02T01:59:00Z');
const WINDOW = { windowStart: '08:00', windowEnd: '21:00', quietDays: [] as number[] };

function cuidish(i: number): string {
  return `bench${i.toString(36).padStart(8, '0')}`;
}

async function seed(ctx: Context): Promise<void> {
  const now = ctx.clock.now();
  for (let start = 0; start < COUNT; start += 2000) {
    const ids = Array.from({ length: Math.min(2000, COUNT - start) }, (_, k) => start + k);
    await ctx.db.patient.createMany({
      data: ids.map((i) => ({ id: cuidish(i), givenName: `P${i}`, familyName: 'Bench', birthDate: new Date('1970-01-01'), timeZone: ZONES[i % ZONES.length]![0] })),
    });
    await ctx.db.patientPhone.createMany({
      data: ids.map((i) => {
        const e164 = `+1${ZONES[i % ZONES.length]![1]}${5_500_000 + i}`;
        return { patientId: cuidish(i), e164, raw: e164, use: 'mobile' };
      }),
    });
    await ctx.db.prescription.createMany({
      data: ids.map((i) => ({ patientId: cuidish(i), rxNumber: String(8_000_000 + i), drug: 'Bench 1 mg', daysSupply: 30, lastFilledAt: new Date(now.getTime() - 29 * 86_400_000) })),
    });
  }
}

function busiestSecond(times: number[]): number {
  const t = [...times].sort((a, b) => a - b);
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < t.length; hi++) {
    while (t[hi]! - t[lo]! >= 1000) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

/** Runs the reminder benchmark and returns its markdown section. */
export async function benchReminders(): Promise<string> {
  const dbName = `careline_bench_reminders`;
  const databaseUrl = await freshDatabase(dbName);
  // Set again right before dialing starts, so seeding time does not eat into the run.
  let offset = START_AT.getTime() - Date.now();
  const clock = { now: () => new Date(Date.now() + offset) };
  const sim = new TwilioSim({ baseUrl: 'http://127.0.0.1:9', accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
  const restUrl = await sim.listen();
  const server = http.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const prefix = `careline:bench:${randomBytes(4).toString('hex')}:`;
  const config = loadConfig({
    NODE_ENV: 'production',
    PUBLIC_BASE_URL: baseUrl,
    DATABASE_URL: databaseUrl,
    REDIS_URL,
    TWILIO_ACCOUNT_SID: ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: AUTH_TOKEN,
    TWILIO_API_URL: restUrl,
    REMINDER_CALLS_PER_SECOND: String(CPS),
  });
  const ctx: Context = {
    config,
    db: createDb(databaseUrl, 20),
    redis: createRedis(REDIS_URL, prefix),
    redisUrl: REDIS_URL,
    redisPrefix: prefix,
    log: createLogger('error', 'json'),
    twilio: createTwilioRest(config),
    clock,
  };
  server.on('request', createApp(ctx));
  // Every line busy: a call ends at once, so the run measures the dialer, not conversations.
  const sent: number[] = [];
  const calls = ctx.twilio.calls;
  const create = calls.create.bind(calls);
  calls.create = ((...args: Parameters<typeof create>) => {
    sent.push(Date.now());
    return create(...args);
  }) as typeof create;
  const dialedAt = new Map<string, Date[]>();
  sim.on('call', (c: { to: string }) => {
    sim.setNumberBehaviour(c.to, 'busy');
    dialedAt.set(c.to, [...(dialedAt.get(c.to) ?? []), clock.now()]);
  });

  try {
    await seed(ctx);
    initReminderQueue(ctx, { name: 'bench-reminders' });
    const created = Date.now();
    const summary = await launchCampaign(ctx, { kind: 'refill', maxAttempts: 1, maxConcurrency: COUNT });
    const createMs = Date.now() - created;
    offset = START_AT.getTime() - Date.now();
    await ctx.db.reminder.updateMany({ data: { nextAttemptAt: clock.now() } });
    const workers = [startReminderWorker(ctx, { name: 'bench-reminders', concurrency: WORKER_CONCURRENCY }), startReminderWorker(ctx, { name: 'bench-reminders', concurrency: WORKER_CONCURRENCY })];
    const started = Date.now();
    // Until every reminder has finished or waits for tomorrow's window, or SECONDS have passed.
    for (;;) {
      await new Promise((r) => setTimeout(r, 1000));
      const open = await ctx.db.reminder.count({ where: { OR: [{ status: 'dialing' }, { status: 'pending', nextAttemptAt: { lte: clock.now() } }] } });
      process.stderr.write(`\rreminders bench: ${sim.createdCalls.length} dialed, ${open} still to go   `);
      if (!open || Date.now() - started > SECONDS * 1000) break;
    }
    process.stderr.write('\n');
    const elapsed = (Date.now() - started) / 1000;
    for (const w of workers) await w.close();

    const reminders = await ctx.db.reminder.findMany({ select: { phone: true, timeZone: true, status: true } });
    const byPhone = new Map(reminders.map((r) => [r.phone, r]));
    let outside = 0;
    let doubled = 0;
    for (const [phone, times] of dialedAt) {
      if (times.length > 1) doubled++;
      const r = byPhone.get(phone)!;
      for (const t of times) if (!isInsideWindow(t, windowFor(WINDOW, r.timeZone))) outside++;
    }
    const waiting = await ctx.db.reminder.count({ where: { status: 'pending', nextAttemptAt: { gt: clock.now() } } });
    const queued = await ctx.db.reminder.count({ where: { status: 'pending', nextAttemptAt: { lte: clock.now() } } });
    const nyTimes = [...dialedAt.entries()].filter(([p]) => byPhone.get(p)?.timeZone === 'America/New_York').flatMap(([, t]) => t.map((d) => d.getTime()));
    const lastNy = nyTimes.length ? DateTime.fromMillis(Math.max(...nyTimes), { zone: 'America/New_York' }).toFormat('HH:mm:ss') : 'none';
    const received = sim.createdCalls.map((c) => c.at);
    const spanS = (Math.max(...sent) - Math.min(...sent)) / 1000;
    const rows: (string | number)[][] = [
      ['reminders created', `${summary.created} in ${fmt(createMs / 1000)} s`],
      ['calls placed', sim.createdCalls.length],
      ['waiting for the next window (Puerto Rico; New York after 20:59:30)', waiting],
      ['still queued when the run stopped', queued],
      ['configured limit', `${CPS} calls/s`],
      ['mean rate while dialing', `${fmt((sent.length - 1) / spanS)} calls/s`],
      ['pacing error against the limit (target within 2%)', `${fmt((Math.abs((sent.length - 1) / spanS - CPS) / CPS) * 100)}%`],
      ['busiest second, requests sent', `${busiestSecond(sent)} (${fmt(busiestSecond(sent) / CPS, 2)} × limit)`],
      ['busiest second, requests received by the local Twilio', `${busiestSecond(received)} (${fmt(busiestSecond(received) / CPS, 2)} × limit)`],
      ['calls outside the patient\'s window', outside],
      ['numbers dialed twice', doubled],
      [`New York calls / last one (local time)`, `${nyTimes.length} / ${lastNy}`],
      ['wall time dialing', `${fmt(elapsed)} s`],
    ];
    return [
      '## reminders',
      '',
      `${COUNT} refill reminders over ${ZONES.length} US time zones, dialed for up to ${SECONDS} s by two workers (concurrency ${WORKER_CONCURRENCY} each) sharing one global limit of ${CPS} calls/s; every line busy (maxAttempts 1). Fake clock starting Tuesday 20:59:00 New York. "Sent" is when careline's REST request left; "received" is when the local Twilio (same process) served it. \`BENCH_REMINDERS\`, \`BENCH_REMINDER_CPS\`, \`BENCH_REMINDER_SECONDS\` change the run.`,
      '',
      table(['measure', 'value'], rows),
      '',
    ].join('\n');
  } finally {
    await closeReminderQueue(ctx);
    await sim.close();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    await ctx.db.$disconnect();
    const raw = createRedis(REDIS_URL);
    let cursor = '0';
    do {
      const [next, keys] = await raw.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await raw.del(...keys);
    } while (cursor !== '0');
    raw.disconnect();
    ctx.redis.disconnect();
    const admin = new Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await admin.end();
  }
}

if (require.main === module) {
  benchReminders().then(
    (md) => {
      console.log(md);
      process.exit(0);
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
