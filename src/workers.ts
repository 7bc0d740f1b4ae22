import type { Context } from './context';
import { startReminderWorkers } from './reminders/campaign-scheduler';
import { startRoutingWorker } from './routing/escalation-worker';
import { startRecordWriter } from './records/record-journal';
import { startRetentionWorker } from './records/retention';

/** A background worker that main.ts starts in the `worker` role and closes on shutdown. */
export interface Worker {
  name: string;
  close(): Promise<void>;
}

type WorkerStarter = (ctx: Context) => Promise<Worker>;

// Each queue module contributes its starter here.
const starters: WorkerStarter[] = [startReminderWorkers, startRoutingWorker, startRecordWriter, startRetentionWorker];

/** Starts every background worker (reminder dialing, record writing, schedulers). */
export async function startWorkers(ctx: Context): Promise<Worker[]> {
  const workers: Worker[] = [];
  for (const start of starters) workers.push(await start(ctx));
  return workers;
}
