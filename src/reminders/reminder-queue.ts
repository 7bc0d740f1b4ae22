import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import type { Context } from '../context';
import { createBlockingRedis } from '../db/redis';

/** A reminder job names one attempt of one reminder; everything else is re-read when it runs. */
export interface ReminderJobData {
  readonly reminderId: string;
  readonly attempt: number;
  readonly traceId: string;
}

export const REMINDER_QUEUE = 'reminders';

export interface ReminderQueueOptions {
  /** queue name (tests use their own) */
  readonly name?: string;
}

interface ReminderQueue {
  readonly queue: Queue<ReminderJobData>;
  readonly connection: ReturnType<typeof createBlockingRedis>;
}

const queues = new WeakMap<Context, ReminderQueue>();

/** BullMQ connection and key prefix of a context (a fresh connection: the caller closes it). */
export function bullOptions(ctx: Context) {
  return { connection: createBlockingRedis(ctx.redisUrl), prefix: `${ctx.redisPrefix}bull` };
}

// BullMQ leaves a connection it was handed open on close; its owner closes it.
export async function closeConnection(c: ReturnType<typeof createBlockingRedis>): Promise<void> {
  await c.quit().catch(() => c.disconnect());
}

/** Job id of one attempt: adding the same attempt twice is a no-op (no colons: BullMQ reserves them). */
export function reminderJobId(reminderId: string, attempt: number): string {
  return `reminder-${reminderId}-${attempt}`;
}

/**
 * Opens the process's reminder queue for a context (the webhooks add retries to it).
 * @param opts - name: a queue of its own (tests)
 */
export function initReminderQueue(ctx: Context, opts: ReminderQueueOptions = {}): Queue<ReminderJobData> {
  const existing = queues.get(ctx);
  if (existing && (!opts.name || existing.queue.name === opts.name)) return existing.queue;
  const options = bullOptions(ctx);
  const queue = new Queue<ReminderJobData>(opts.name ?? REMINDER_QUEUE, {
    ...options,
    defaultJobOptions: {
      // Thrown (temporary) failures: database or Redis hiccups. Dial outcomes are attempts of their own.
      attempts: 8,
      backoff: { type: 'exponential', delay: 5000 },
      removeOnComplete: { age: 7 * 86_400 },
      removeOnFail: { age: 30 * 86_400 },
    },
  });
  // A Redis outage is logged once per error, not printed as a raw stack (and never throws).
  queue.on('error', (err) => ctx.log.warn('reminder queue connection problem', { err: err.message }));
  queues.set(ctx, { queue, connection: options.connection });
  return queue;
}

/** Closes the context's reminder queue (its Redis connection). */
export async function closeReminderQueue(ctx: Context): Promise<void> {
  const q = queues.get(ctx);
  queues.delete(ctx);
  if (!q) return;
  await q.queue.close();
  await closeConnection(q.connection);
}

/**
 * Enqueues one attempt of a reminder, to run at `runAt` by the context's clock (now by default).
 * Idempotent: the job id is deterministic.
 */
export async function addReminderJob(ctx: Context, reminderId: string, attempt: number, runAt?: Date): Promise<void> {
  const queue = initReminderQueue(ctx);
  const delay = runAt ? Math.max(0, runAt.getTime() - ctx.clock.now().getTime()) : 0;
  await queue.add('dial', { reminderId, attempt, traceId: randomUUID() }, { jobId: reminderJobId(reminderId, attempt), delay });
}

/**
 * Enqueues the first attempt of many reminders (a new campaign).
 * @param reminderIds - reminders at attempt 0
 */
export async function addReminderJobs(ctx: Context, reminderIds: readonly string[]): Promise<void> {
  const queue = initReminderQueue(ctx);
  for (let i = 0; i < reminderIds.length; i += 500) {
    await queue.addBulk(reminderIds.slice(i, i + 500).map((id) => ({ name: 'dial', data: { reminderId: id, attempt: 1, traceId: randomUUID() }, opts: { jobId: reminderJobId(id, 1) } })));
  }
}

