import { Queue, Worker as BullWorker } from 'bullmq';
import type { Context } from '../context';
import { createBlockingRedis } from '../db/redis';
import type { Worker } from '../workers';
import { audit, type AuditInput } from './audit';

// Recordings and notes are kept RECORDS_RETENTION_DAYS, then purged by a daily job: the recording
// is deleted at Twilio (where the audio lives), then its reference and the notes are cleared. A
// recording Twilio would not delete keeps its record as it is for the next run. The call record
// itself (times, outcome, figures) stays for reports; the audit log keeps, for each purged record,
// who purged what and when (the system, with the cutoff).

export const RETENTION_QUEUE = 'records-retention';
const SCHEDULER_ID = 'records-retention-daily';
const DAILY_AT = '15 3 * * *'; // 03:15 practice time, a quiet hour
const BATCH = 500;

export interface PurgeResult {
  cutoff: Date;
  callRecords: number;
  callbackTasks: number;
  noteEvents: number;
  /** recordings deleted at Twilio (or found gone already) */
  recordingsDeleted: number;
  /** records left for the next run because Twilio did not delete their recording */
  recordingsKept: number;
}

/** Deletes a recording at Twilio. @returns whether it is gone (deleted now, or already) */
async function deleteRecordingAtTwilio(ctx: Context, sid: string): Promise<boolean> {
  try {
    await ctx.twilio.recordings(sid).remove();
    return true;
  } catch (err) {
    const status = (err as { status?: number }).status;
    if (status === 404) return true;
    ctx.log.warn('could not delete a recording at Twilio; its record is kept for the next run', { recordingSid: sid, status });
    return false;
  }
}

/**
 * Deletes the rows' recordings at Twilio.
 * @param kept - collects the ids of rows whose recording is still there
 * @returns the rows that may now be cleared
 */
async function withRecordingsDeleted<T extends { id: string; recordingSid: string | null }>(ctx: Context, rows: T[], kept: string[], result: PurgeResult): Promise<T[]> {
  const clear: T[] = [];
  for (const r of rows) {
    if (r.recordingSid && !(await deleteRecordingAtTwilio(ctx, r.recordingSid))) {
      kept.push(r.id);
      result.recordingsKept++;
      continue;
    }
    if (r.recordingSid) result.recordingsDeleted++;
    clear.push(r);
  }
  return clear;
}

/**
 * Clears recording references and notes older than the retention period from call records,
 * callback tasks and note events, auditing each purged record. Idempotent: a second run finds
 * nothing left to purge.
 * @param now - the moment the period is counted back from (default: the clock's now)
 */
export async function purgeExpiredRecords(ctx: Context, now: Date = ctx.clock.now()): Promise<PurgeResult> {
  const cutoff = new Date(now.getTime() - ctx.config.RECORDS_RETENTION_DAYS * 86_400_000);
  const result: PurgeResult = { cutoff, callRecords: 0, callbackTasks: 0, noteEvents: 0, recordingsDeleted: 0, recordingsKept: 0 };
  const keptRecords: string[] = [];
  const keptTasks: string[] = [];
  const system = { actorType: 'system' as const, actorId: RETENTION_QUEUE, action: 'purge' };
  const detail = { cutoff: cutoff.toISOString(), retentionDays: ctx.config.RECORDS_RETENTION_DAYS };
  const held = { OR: [{ recordingSid: { not: null } }, { recordingUrl: { not: null } }, { notes: { not: null } }] };

  const fields = ['recording', 'recordingSid', 'recordingUrl', 'notes'];
  for (;;) {
    const found = await ctx.db.callRecord.findMany({ where: { startedAt: { lt: cutoff }, ...held, id: { notIn: keptRecords } }, select: { id: true, callSid: true, patientId: true, recordingSid: true }, take: BATCH });
    if (found.length === 0) break;
    const rows = await withRecordingsDeleted(ctx, found, keptRecords, result);
    if (rows.length === 0) continue;
    // Audit first: if the purge then fails, the log says it was attempted, never the other way round.
    await audit(ctx, rows.map((r): AuditInput => ({ ...system, entity: 'call_record', entityId: r.callSid, patientId: r.patientId ?? undefined, detail: { ...detail, fields } })));
    const { count } = await ctx.db.callRecord.updateMany({ where: { id: { in: rows.map((r) => r.id) } }, data: { recordingSid: null, recordingUrl: null, notes: null } });
    result.callRecords += count;
  }
  for (;;) {
    const found = await ctx.db.callbackTask.findMany({ where: { createdAt: { lt: cutoff }, ...held, id: { notIn: keptTasks } }, select: { id: true, patientId: true, recordingSid: true }, take: BATCH });
    if (found.length === 0) break;
    const rows = await withRecordingsDeleted(ctx, found, keptTasks, result);
    if (rows.length === 0) continue;
    await audit(ctx, rows.map((r): AuditInput => ({ ...system, entity: 'callback_task', entityId: r.id, patientId: r.patientId ?? undefined, detail: { ...detail, fields } })));
    const { count } = await ctx.db.callbackTask.updateMany({ where: { id: { in: rows.map((r) => r.id) } }, data: { recordingSid: null, recordingUrl: null, notes: null } });
    result.callbackTasks += count;
  }
  const notes = await ctx.db.callEvent.findMany({ where: { type: 'note', at: { lt: cutoff } }, select: { id: true, callSid: true } });
  if (notes.length) {
    await audit(ctx, { ...system, entity: 'call_event', detail: { ...detail, type: 'note', count: notes.length, callSids: [...new Set(notes.map((n) => n.callSid))].slice(0, 1000) } });
    result.noteEvents = (await ctx.db.callEvent.deleteMany({ where: { id: { in: notes.map((n) => n.id) } } })).count;
  }
  await audit(ctx, { ...system, entity: 'retention_run', detail: { ...detail, callRecords: result.callRecords, callbackTasks: result.callbackTasks, noteEvents: result.noteEvents, recordingsDeleted: result.recordingsDeleted, recordingsKept: result.recordingsKept } });
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
  queue.on('error', (err) => log.warn('retention queue connection problem', { err: err.message }));
  await queue.upsertJobScheduler(SCHEDULER_ID, { pattern: DAILY_AT, tz: ctx.config.PRACTICE_TIME_ZONE }, { name: 'purge', opts: { removeOnComplete: 30, removeOnFail: 100 } });
  const worker = new BullWorker(
    RETENTION_QUEUE,
    async () => {
      const r = await purgeExpiredRecords(ctx);
      const counts = { callRecords: r.callRecords, callbackTasks: r.callbackTasks, noteEvents: r.noteEvents, recordingsDeleted: r.recordingsDeleted, recordingsKept: r.recordingsKept };
      log.info('retention purge done', { ...counts, cutoff: r.cutoff.toISOString() });
      return counts;
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
