import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Context } from '../context';
import type { Worker as CarelineWorker } from '../workers';
import { dialReminder, type DialOptions } from './dial';
import { bullOptions, closeConnection, initReminderQueue, type ReminderJobData, type ReminderQueueOptions } from './reminder-queue';

export interface ReminderWorkerOptions extends ReminderQueueOptions, DialOptions {
  readonly concurrency?: number;
  /** how long a job stays locked without renewal before another worker may take it back (ms) */
  readonly lockDuration?: number;
  readonly stalledInterval?: number;
}

/**
 * Runs one reminder job: dials, or puts the job back to wait for the patient's window, or hands a
 * permanent failure to BullMQ as UnrecoverableError.
 */
export async function processReminderJob(ctx: Context, job: Job<ReminderJobData>, token?: string, opts: DialOptions = {}): Promise<string> {
  const log = ctx.log.child({ reminderId: job.data.reminderId, attempt: job.data.attempt, traceId: job.data.traceId });
  const result = await dialReminder(ctx, job.data, log, opts);
  switch (result.kind) {
    case 'done':
      return result.reason;
    case 'rejected':
      throw new UnrecoverableError(result.reason);
    case 'wait': {
      // BullMQ delays run on the real clock; the wait is computed on the context's clock.
      const ms = Math.max(result.until ? result.until.getTime() - ctx.clock.now().getTime() : result.realMs, 0);
      await job.moveToDelayed(Date.now() + ms, token);
      throw new DelayedError();
    }
    default: {
      const never: never = result;
      throw new Error(`unknown dial result ${JSON.stringify(never)}`);
    }
  }
}

/**
 * Starts a reminder worker. The global calls-per-second limit is enforced at dial time (pacing.ts),
 * shared by every worker; concurrency only bounds how many jobs one process holds.
 */
export function startReminderWorker(ctx: Context, opts: ReminderWorkerOptions = {}): CarelineWorker & { worker: Worker<ReminderJobData> } {
  const options = bullOptions(ctx);
  const worker = new Worker<ReminderJobData>(opts.name ?? initReminderQueue(ctx).name, (job, token) => processReminderJob(ctx, job, token, { claimLeaseMs: opts.claimLeaseMs }), {
    ...options,
    concurrency: opts.concurrency ?? ctx.config.REMINDER_WORKER_CONCURRENCY,
    lockDuration: opts.lockDuration ?? 30_000,
    stalledInterval: opts.stalledInterval ?? 30_000,
    // A job whose worker died is retried (the PostgreSQL claim keeps it from dialing twice).
    maxStalledCount: 5,
  });
  worker.on('failed', (job, err) => {
    if (job && !(err instanceof DelayedError)) ctx.log.warn('reminder job failed', { reminderId: job.data.reminderId, attempt: job.data.attempt, err: err.message });
  });
  worker.on('error', (err) => ctx.log.error('reminder worker error', { err: err.message }));
  return {
    name: 'reminders',
    worker,
    async close() {
      await worker.close();
      await closeConnection(options.connection);
    },
  };
}
