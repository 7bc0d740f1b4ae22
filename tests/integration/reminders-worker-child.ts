// A reminder worker in a process of its own, for the "worker killed mid-job" test: it reads its
// wiring from the environment the test gives it, works the queue, and is SIGKILLed by the test.
import { loadConfig } from '../../src/config';
import type { Context } from '../../src/context';
import { createDb } from '../../src/db/client';
import { createRedis } from '../../src/db/redis';
import { createLogger } from '../../src/log';
import { initReminderQueue } from '../../src/reminders/reminder-queue';
import { startReminderWorker } from '../../src/reminders/reminder-worker';
import { createTwilioRest } from '../../src/telephony/twilio-rest';

const env = process.env;
const config = loadConfig(env);
const fixedNow = new Date(env.CHILD_CLOCK_AT!);
const ctx: Context = {
  config,
  db: createDb(config.DATABASE_URL!, 5),
  redis: createRedis(config.REDIS_URL!, config.REDIS_PREFIX),
  redisUrl: config.REDIS_URL!,
  redisPrefix: config.REDIS_PREFIX,
  log: createLogger('error', 'json'),
  twilio: createTwilioRest(config),
  clock: { now: () => fixedNow },
};
initReminderQueue(ctx, { name: env.CHILD_QUEUE! });
// Short locks and lease: what the dead worker held is free again soon after the SIGKILL.
const w = startReminderWorker(ctx, { name: env.CHILD_QUEUE!, concurrency: 4, lockDuration: 1000, stalledInterval: 500, claimLeaseMs: 1000 });
w.worker.on('active', () => process.send?.('active'));
process.send?.('ready');
