import { createHash } from 'node:crypto';
import { Queue, Worker as BullWorker, type Job } from 'bullmq';
import type { Context } from '../context';
import { createBullConnection, createRedis, type Redis } from '../db/redis';
import type { Worker } from '../workers';
import { isDbUnavailable, withDbTimeout } from './db-unavailable';
import { applyRecordWrite, decodeRecordWrite, encodeRecordWrite, orderingKey, type RecordWrite } from './record-write';

// Writes that PostgreSQL could not take wait here and are replayed, in the order they were made,
// by one worker. While PostgreSQL is down the worker puts the head job back and pauses (BullMQ's
// manual rate limit), so nothing overtakes it; a write that fails for another reason is retried
// with backoff and finally kept in the failed set for an operator.

export const RECORD_WRITES_QUEUE = 'record-writes';
const ENQUEUE_TIMEOUT_MS = 1500;
const REPLAY_TIMEOUT_MS = 10_000;
const OUTAGE_PAUSE_MS = 1000;
const ATTEMPTS = 8;
const PENDING_TTL_SECONDS = 2 * 24 * 3600;

export interface RecordWriteJobData {
  readonly write: string;
}

const queues = new WeakMap<Context, { queue: Queue<RecordWriteJobData>; connection: Redis }>();

function queueOf(ctx: Context): Queue<RecordWriteJobData> {
  let q = queues.get(ctx);
  if (!q) {
    // Fails fast (unlike a worker's blocking connection): a webhook must not wait on a dead Redis.
    const connection = createRedis(ctx.redisUrl);
    connection.on('error', () => undefined);
    q = { queue: new Queue<RecordWriteJobData>(RECORD_WRITES_QUEUE, { connection, prefix: ctx.redisPrefix + 'bull' }), connection };
    queues.set(ctx, q);
  }
  return q.queue;
}

/** Closes the enqueuing side of the queue for this context (shutdown, tests). */
export async function closeRecordWriteQueue(ctx: Context): Promise<void> {
  const q = queues.get(ctx);
  if (!q) return;
  queues.delete(ctx);
  await q.queue.close().catch(() => undefined);
  q.connection.disconnect();
}

function pendingKey(key: string): string {
  return `record-writes:pending:${key}`;
}

/**
 * Whether earlier writes of this call still wait in the queue: later ones must then queue behind
 * them, or they would overtake. If Redis cannot say, go to the database.
 */
export async function hasPendingWrites(ctx: Context, w: RecordWrite): Promise<boolean> {
  try {
    return (await ctx.redis.scard(pendingKey(orderingKey(w)))) > 0;
  } catch {
    return false;
  }
}

/** A job id from the write's content: the same write enqueued twice (a retried webhook) is one job. */
function jobIdOf(encoded: string): string {
  return `rw-${createHash('sha256').update(encoded).digest('hex').slice(0, 32)}`;
}

/**
 * Puts a write in the queue. Throws when Redis cannot take it either.
 * @param w - the write, with every time already fixed
 */
export async function enqueueRecordWrite(ctx: Context, w: RecordWrite): Promise<void> {
  const encoded = encodeRecordWrite(w);
  const key = pendingKey(orderingKey(w));
  const jobId = jobIdOf(encoded);
  const add = async () => {
    // A set of job ids, not a counter: the same write enqueued twice is one job and one member.
    await ctx.redis.multi().sadd(key, jobId).expire(key, PENDING_TTL_SECONDS).exec();
    try {
      await queueOf(ctx).add(w.kind, { write: encoded }, {
        jobId,
        attempts: ATTEMPTS,
        backoff: { type: 'exponential', delay: 1000 },
        removeOnComplete: true,
        removeOnFail: false,
      });
    } catch (err) {
      await ctx.redis.srem(key, jobId).catch(() => undefined);
      throw err;
    }
  };
  await withDbTimeout(add(), ENQUEUE_TIMEOUT_MS);
}

async function settle(ctx: Context, w: RecordWrite, jobId: string | undefined): Promise<void> {
  if (jobId) await ctx.redis.srem(pendingKey(orderingKey(w)), jobId).catch(() => undefined);
}

/** How many writes wait (waiting, delayed or active): 0 once everything is in PostgreSQL. */
export async function pendingRecordWrites(ctx: Context): Promise<number> {
  const counts = await queueOf(ctx).getJobCounts('waiting', 'delayed', 'active', 'prioritized');
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

/**
 * Starts the worker that replays queued writes into PostgreSQL, one at a time in order.
 * @returns a handle main.ts closes on shutdown
 */
export async function startRecordWriter(ctx: Context): Promise<Worker> {
  const log = ctx.log.child({ worker: RECORD_WRITES_QUEUE });
  let outage = false;
  // BullMQ does not close a connection it was given.
  const connection = createBullConnection(ctx.redisUrl);
  const worker: BullWorker<RecordWriteJobData> = new BullWorker<RecordWriteJobData>(
    RECORD_WRITES_QUEUE,
    async (job: Job<RecordWriteJobData>) => {
      const w = decodeRecordWrite(job.data.write);
      try {
        await withDbTimeout(applyRecordWrite(ctx, w), REPLAY_TIMEOUT_MS);
      } catch (err) {
        if (isDbUnavailable(err)) {
          if (!outage) log.warn('database unavailable: queued call-record writes wait', { kind: w.kind });
          outage = true;
          // Back to the head of the queue, not an attempt: order is kept and nothing is lost.
          await worker.rateLimit(OUTAGE_PAUSE_MS);
          throw BullWorker.RateLimitError();
        }
        if (job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) await settle(ctx, w, job.id);
        log.error('queued call-record write failed', { kind: w.kind, jobId: job.id, err });
        throw err;
      }
      if (outage) log.info('database back: replaying queued call-record writes');
      outage = false;
      await settle(ctx, w, job.id);
    },
    { connection, prefix: ctx.redisPrefix + 'bull', concurrency: 1 },
  );
  worker.on('error', (err) => log.warn('record writer connection problem', { err }));
  await worker.waitUntilReady();
  return {
    name: RECORD_WRITES_QUEUE,
    async close() {
      await worker.close();
      connection.disconnect();
      await closeRecordWriteQueue(ctx);
    },
  };
}
