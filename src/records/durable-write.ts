import type { Context } from '../context';
import { isDbUnavailable, withDbTimeout } from './db-unavailable';
import { applyRecordWrite, orderingKey, type RecordWrite } from './record-write';
import { enqueueRecordWrite, hasPendingWrites } from './record-write-queue';

/** How long a webhook waits for PostgreSQL before keeping the write for later. */
export const DB_WRITE_TIMEOUT_MS = 1500;

/**
 * Writes to PostgreSQL now if it answers; otherwise keeps the write in the `record-writes` queue,
 * to be written once it is back, and returns normally so the caller still hears TwiML. A write of
 * a call with writes still queued queues too, so writes of one call keep their order. If Redis is
 * down as well, the write is lost: logged (no PHI) and the call goes on.
 * @param w - the write, with every time already fixed
 * @returns what became of it ('written', 'queued' or 'lost'); `moved` for a status written now
 */
export async function writeDurably(ctx: Context, w: RecordWrite): Promise<{ fate: 'written' | 'queued' | 'lost'; moved?: boolean }> {
  if (!(await hasPendingWrites(ctx, w))) {
    try {
      const { moved } = await withDbTimeout(applyRecordWrite(ctx, w), DB_WRITE_TIMEOUT_MS);
      return { fate: 'written', moved };
    } catch (err) {
      if (!isDbUnavailable(err)) throw err;
      ctx.log.warn('database unavailable: queueing call-record write', { kind: w.kind, callSid: orderingKey(w) });
    }
  }
  try {
    await enqueueRecordWrite(ctx, w);
    return { fate: 'queued' };
  } catch (err) {
    ctx.log.error('call-record write lost: database and Redis both unavailable', { kind: w.kind, callSid: orderingKey(w), err: err instanceof Error ? err.message : String(err) });
    return { fate: 'lost' };
  }
}
