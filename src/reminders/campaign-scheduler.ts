import { Queue, Worker } from 'bullmq';
import { z } from 'zod';
import type { Context } from '../context';
import type { Worker as CarelineWorker } from '../workers';
import { launchCampaign } from './campaign-launch';
import { sweepReminders } from './reconcile';
import { bullOptions, closeConnection, closeReminderQueue } from './reminder-queue';
import { startReminderWorker } from './reminder-worker';

export const CAMPAIGN_QUEUE = 'reminder-campaigns';

/** A scheduled campaign run or a sweep; ids only, like every job. */
export interface CampaignJobData {
  readonly kind?: 'refill' | 'appointment';
  readonly leadHours?: number;
}

const jobData = z.object({ kind: z.enum(['refill', 'appointment']).optional(), leadHours: z.number().int().positive().optional() });

// Daily campaigns at 09:00 practice time (each patient is still called only inside their own
// window), and the repair sweep every minute.
const SCHEDULES = [
  { id: 'daily-refill', pattern: '0 9 * * *', name: 'campaign', data: { kind: 'refill' } },
  { id: 'daily-appointment-48h', pattern: '0 9 * * *', name: 'campaign', data: { kind: 'appointment', leadHours: 48 } },
  { id: 'daily-appointment-24h', pattern: '5 9 * * *', name: 'campaign', data: { kind: 'appointment', leadHours: 24 } },
] as const;

/**
 * Starts reminder work in a worker process: the dialing worker, the campaign worker, and the
 * BullMQ job schedulers that create the daily campaigns and run the sweep (upserted, so every
 * process may do it). The starter in src/workers.ts.
 */
export async function startReminderWorkers(ctx: Context): Promise<CarelineWorker> {
  const dialing = startReminderWorker(ctx);
  const options = bullOptions(ctx);
  const queue = new Queue<CampaignJobData>(CAMPAIGN_QUEUE, { ...options, defaultJobOptions: { removeOnComplete: 100, removeOnFail: 500 } });
  queue.on('error', (err) => ctx.log.warn('campaign queue connection problem', { err: err.message }));
  for (const s of SCHEDULES) {
    await queue.upsertJobScheduler(s.id, { pattern: s.pattern, tz: ctx.config.PRACTICE_TIME_ZONE }, { name: s.name, data: s.data });
  }
  await queue.upsertJobScheduler('reminder-sweep', { every: 60_000 }, { name: 'sweep', data: {} });
  const workerOptions = bullOptions(ctx);
  const worker = new Worker<CampaignJobData>(
    CAMPAIGN_QUEUE,
    async (job) => {
      if (job.name === 'sweep') return sweepReminders(ctx);
      const d = jobData.parse(job.data);
      if (!d.kind) throw new Error('campaign job without a kind');
      const s = await launchCampaign(ctx, { kind: d.kind, leadHours: d.leadHours });
      return { campaignId: s.campaignId, created: s.created };
    },
    { ...workerOptions, concurrency: 1 },
  );
  worker.on('error', (err) => ctx.log.error('campaign worker error', { err: err.message }));
  return {
    name: 'reminders',
    async close() {
      await worker.close();
      await dialing.close();
      await queue.close();
      await closeReminderQueue(ctx);
      await closeConnection(workerOptions.connection);
      await closeConnection(options.connection);
    },
  };
}
