import type { Context } from '../context';
import { redisIsDown } from '../db/redis';
import { DB_FALLBACK_AFTER_MS, isDbUnavailable, withDbTimeout } from './db-unavailable';
import { journalRecordWrite } from './record-journal';
import { applyRecordWrites } from './record-batch';
import { writeSubject, type RecordWrite } from './record-write';

/** How long a webhook waits for PostgreSQL when Redis cannot take a write. */

/**
 * Keeps a call-record write: in the journal (record-journal.ts), which the record writer applies
 * to PostgreSQL moments later, so a webhook costs one Redis command and never waits on
 * PostgreSQL. If Redis cannot take it, the write goes to PostgreSQL directly; if both are down it
 * is lost: logged (no PHI) and the call goes on.
 * @param w - the write, with every time already fixed
 * @returns what became of it
 */
export async function writeDurably(ctx: Context, w: RecordWrite): Promise<{ fate: 'journaled' | 'written' | 'lost' }> {
  if (!redisIsDown(ctx.redis)) {
    try {
      await journalRecordWrite(ctx, w);
      return { fate: 'journaled' };
    } catch (err) {
      ctx.log.warn('record journal unavailable: writing the call record directly', { kind: w.kind, err: err instanceof Error ? err.message : String(err) });
    }
  }
  try {
    await withDbTimeout(applyRecordWrites(ctx, [w]), DB_FALLBACK_AFTER_MS);
    return { fate: 'written' };
  } catch (err) {
    if (!isDbUnavailable(err)) throw err;
    ctx.log.error('call-record write lost: database and Redis both unavailable', { kind: w.kind, callSid: writeSubject(w) });
    return { fate: 'lost' };
  }
}
