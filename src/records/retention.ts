import { Queue, Worker as BullWorker } from 'bullmq';
import type { Context } from '../context';
import { createBlockingRedis } from '../db/redis';
import type { Worker } from '../workers';
import { audit, type AuditInput } from './audit';

// Recordings references and notes are kept RECORDS_RETENTION_DAYS, then purged by a daily job.
// The call record itself (times, outcome, figures) stays for reports; the audit log keeps, for each
// purged record, who purged what and when (the system, with the cutoff).

export const RETENTION_QUEUE = 'records-retention';
const SCHEDULER_ID = 'records-retention-daily';
const DAILY_AT = '15 3 * * *'; // 03:15 practice time, a quiet hour
const BATCH = 500;

export interface PurgeResult {
  cutoff: Date;
  callRecords: number;
  callbackTasks: number;
  noteEvents: number;
}

/**
 * Clears recording references and notes older than the retention period from call records,
 * callback tasks and note events, auditing each purged record. Idempotent: a second run finds
 * nothing left to purge.
 * @param now - the moment the period is counted back from (default: the clock's now)
 */
export async function purgeExpiredRecords(ctx: Context, now: Date = ctx.clock.now()): Promise<PurgeResult> {
  const cutoff = new Date(now.getTime() - ctx.config.RECORDS_RETENTION_DAYS * 86_400_000);
  const result: PurgeResult = { cutoff, callRecords: 0, callbackTasks: 0, noteEvents: 0 };
  const system = { actorType: 'system' as const, actorId: RETENTION_QUEUE, action: 'purge' };
  const detail = { cutoff: cutoff.toISOString(), retentionDays: ctx.config.RECORDS_RETENTION_DAYS };
  const held = { OR: [{ recordingSid: { not: null } }, { recordingUrl: { not: null } }, { notes: { not: null } }] };

  for (;;) {
    const rows = await ctx.db.callRecord.findMany({ where: { startedAt: { lt: cutoff }, ...held }, select: { id: true, callSid: true, patientId: true }, take: BATCH });
    if (rows.length === 0) break;
    // Audit first: if the purge then fails, the log says it was attempted, never the other way round.
    await audit(ctx, rows.map((r): AuditInput => ({ ...system, entity: 'call_record', entityId: r.callSid, patientId: r.patientId ?? undefined, detail: { ...detail, fields: ['recordingSid', 'recordingUrl', 'notes'] } })));
    const { count } = await ctx.db.callRecord.updateMany({ where: { id: { in: rows.map((r) => r.id) } }, data: { recordingSid: null, recordingUrl: null, notes: null } });
    result.callRecords += count;
  }
  for (;;) {
    const rows = await ctx.db.callbackTask.findMany({ where: { createdAt: { lt: cutoff }, ...held }, select: { id: true, patientId: true }, take: BATCH });
    if (rows.length === 0) break;
    await audit(ctx, rows.map((r): AuditInput => ({ ...system, entity: 'callback_task', entityId: r.id, patientId: r.patientId ?? undefined, detail: { ...detail, fields: ['recordingSid', 'recordingUrl', 'notes'] } })));
    const { count } = await ctx.db.callbackTask.updateMany({ where: { id: { in: rows.map((r) => r.id) } }, data: { recordingSid: null, recordingUrl: null, notes: null } });
    result.callbackTasks += count;
  }
  const notes = await ctx.db.callEvent.findMany({ where: { type: 'note', at: { lt: cutoff } }, select: { id: true, callSid: true } });
  if (notes.length) {
    await audit(ctx, { ...system, entity: 'call_event', detail: { ...detail, type: 'note', count: notes.length, callSids: [...new Set(notes.map((n) => n.callSid))].slice(0, 1000) } });
    result.noteEvents = (await ctx.db.callEvent.deleteMany({ where: { id: { in: notes.map((n) => n.id) } } })).count;
  }
  await audit(ctx, { ...system, entity: 'retention_run', detail: { ...detail, callRecords: result.callRecords, callbackTasks: result.callbackTasks, noteEvents: result.noteEvents } });
  return result;
}

/**
 * Schedules the daily purge (a BullMQ job scheduler: one schedule however many workers start)
 * and runs it.
 */
export async function startRetentionWorker(ctx: Context): Promise<Worker> {
  const log = ctx.log.child({ worker: RETENTION_QUEUE });
  const opts = { prefix: ctx.redisPrefix + 'bull' };
  const queueConnection = createBlockingRedis(ctx.redisUrl);
  const workerConnection = createBlockingRedis(ctx.redisUrl);
  const queue = new Queue(RETENTION_QUEUE, { connection: queueConnection, ...opts });
  await queue.upsertJobScheduler(SCHEDULER_ID, { pattern: DAILY_AT, tz: ctx.config.PRACTICE_TIME_ZONE }, { name: 'purge', opts: { removeOnComplete: 30, removeOnFail: 100 } });
  const worker = new BullWorker(
    RETENTION_QUEUE,
    async () => {
      const r = await purgeExpiredRecords(ctx);
      log.info('retention purge done', { callRecords: r.callRecords, callbackTasks: r.callbackTasks, noteEvents: r.noteEvents, cutoff: r.cutoff.toISOString() });
      return { callRecords: r.callRecords, callbackTasks: r.callbackTasks, noteEvents: r.noteEvents };
    },
    { connection: workerConnection, ...opts, concurrency: 1 },
  );
  worker.on('error', (err) => log.warn('retention worker connection problem', { err }));
  await worker.waitUntilReady();
  return {
    name: RETENTION_QUEUE,
    async close() {
      await worker.close();
      await queue.close();
      workerConnection.disconnect();
      queueConnection.disconnect();
    },
  };
}
