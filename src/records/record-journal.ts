import { randomBytes } from 'node:crypto';
import type { Context } from '../context';
import { createBlockingRedis } from '../db/redis';
import type { Worker } from '../workers';
import { isDbUnavailable, withDbTimeout } from './db-unavailable';
import { applyRecordWrites } from './record-batch';
import { decodeRecordWrite, encodeRecordWrite, writeSubject, type RecordWrite } from './record-write';

// Every call-record write goes into a Redis stream (one XADD on the webhook path) and one writer
// applies the stream to PostgreSQL in batches, deleting entries only once they are written. While
// PostgreSQL is down entries simply wait: nothing is lost and order is kept. One writer at a time
// (a lease), so writes are applied in the order they were made; another instance takes over
// within LEASE_MS if the writer dies, and re-applying a batch is harmless (writes are idempotent).

/** The journal's Redis key (under the deployment's key prefix). */
export const RECORD_JOURNAL = 'records:journal';
/** Writes PostgreSQL refused for a reason other than being down (or unreadable), kept for an operator. */
export const FAILED_JOURNAL = 'records:journal:failed';
const LEASE = 'records:writer';
const LEASE_MS = 15_000;
const BATCH = 500;
const BLOCK_MS = 1000;
// After a short batch the writer waits this long for more: a busy line then costs one transaction
// per LINGER_MS rather than one per webhook, and records still land within a fraction of a second.
const LINGER_MS = 50;
const WRITE_TIMEOUT_MS = 10_000;
const OUTAGE_PAUSE_MS = 1000;

const RENEW_OR_TAKE = `
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end
if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
return 0`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0`;

/** Appends a write to the journal. Throws when Redis cannot take it. */
export async function journalRecordWrite(ctx: Context, w: RecordWrite): Promise<void> {
  await ctx.redis.xadd(RECORD_JOURNAL, '*', 'w', encodeRecordWrite(w));
}

/** How many writes wait in the journal: 0 once everything is in PostgreSQL. */
export async function pendingRecordWrites(ctx: Context): Promise<number> {
  return ctx.redis.xlen(RECORD_JOURNAL);
}

const SETTLE_POLL_MS = 20;

/**
 * Waits, at most `maxMs`, until every write journaled before this call is in PostgreSQL: staff
 * reading records (search, a record, reports) see the calls that just happened. Writes journaled
 * meanwhile are not waited for, so a busy line never delays the read. Never throws; if Redis
 * cannot say, it returns at once.
 */
export async function recordsSettled(ctx: Context, maxMs = 2000): Promise<void> {
  const until = Date.now() + maxMs;
  try {
    const newest = await ctx.redis.xrevrange(RECORD_JOURNAL, '+', '-', 'COUNT', 1);
    if (!newest.length) return;
    const upTo = newest[0]![0];
    // Entries are deleted once written: none left at or before `upTo` means all of them are in.
    while ((await ctx.redis.xrange(RECORD_JOURNAL, '-', upTo, 'COUNT', 1)).length && Date.now() < until) {
      await new Promise((r) => setTimeout(r, SETTLE_POLL_MS));
    }
  } catch {
    // Redis is down: nothing is journaled now (writes go to PostgreSQL directly).
  }
}

type Entries = [id: string, fields: string[]][];

/**
 * Starts the writer that applies the journal to PostgreSQL.
 * @returns a handle main.ts closes on shutdown
 */
export async function startRecordWriter(ctx: Context): Promise<Worker> {
  const log = ctx.log.child({ worker: 'record-writer' });
  // A connection of its own: XREAD blocks it, and it must wait out a Redis restart, not fail fast.
  const redis = createBlockingRedis(ctx.redisUrl, ctx.redisPrefix);
  redis.on('error', () => undefined);
  const token = `${process.pid}:${randomBytes(6).toString('hex')}`;
  let stopped = false;
  let applying = false;
  let leased = false;
  let outage = false;
  let wake = () => undefined as void;
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => (clearTimeout(timer), resolve());
    });

  async function applyEntries(entries: Entries): Promise<void> {
    const decoded: { w: RecordWrite; encoded: string }[] = [];
    for (const [, fields] of entries) {
      const encoded = fields[1] ?? '';
      try {
        decoded.push({ w: decodeRecordWrite(encoded), encoded });
      } catch {
        // Unreadable: it must not block the writes behind it.
        log.error('unreadable call-record write; kept in the failed journal');
        await ctx.redis.xadd(FAILED_JOURNAL, '*', 'w', encoded);
      }
    }
    try {
      await withDbTimeout(applyRecordWrites(ctx, decoded.map((d) => d.w)), WRITE_TIMEOUT_MS);
    } catch (err) {
      if (isDbUnavailable(err)) throw err;
      // Something in the batch is wrong: write one at a time, and set aside only what fails.
      log.warn('record batch failed; writing it one write at a time', { err: err instanceof Error ? err.name : 'error', writes: decoded.length });
      for (const d of decoded) await applyAlone(d.w, d.encoded);
    }
    // Fails fast if Redis has gone (unlike the blocking connection): the batch is then simply
    // applied again later, and shutdown never waits on a dead Redis.
    await ctx.redis.xdel(RECORD_JOURNAL, ...entries.map(([id]) => id));
  }

  async function applyAlone(w: RecordWrite, encoded: string): Promise<void> {
    try {
      await withDbTimeout(applyRecordWrites(ctx, [w]), WRITE_TIMEOUT_MS);
    } catch (err) {
      if (isDbUnavailable(err)) throw err;
      log.error('call-record write failed; kept in the failed journal', { kind: w.kind, callSid: writeSubject(w), err: err instanceof Error ? err.name : 'error' });
      await ctx.redis.xadd(FAILED_JOURNAL, '*', 'w', encoded);
    }
  }

  async function step(): Promise<void> {
    leased = (await redis.eval(RENEW_OR_TAKE, 1, LEASE, token, LEASE_MS)) === 1;
    if (!leased) {
      await pause(LEASE_MS / 3);
      return;
    }
    const read = (await redis.xread('COUNT', BATCH, 'BLOCK', BLOCK_MS, 'STREAMS', RECORD_JOURNAL, '0-0')) as [string, Entries][] | null;
    const entries = read?.[0]?.[1];
    if (!entries?.length) return;
    applying = true;
    try {
      await applyEntries(entries);
      if (outage) log.info('database back: journaled call-record writes applied');
      outage = false;
      if (entries.length < BATCH) await pause(LINGER_MS);
    } catch (err) {
      if (!isDbUnavailable(err)) throw err;
      if (!outage) log.warn('database unavailable: call-record writes wait in the journal', { writes: entries.length });
      outage = true;
      await pause(OUTAGE_PAUSE_MS);
    } finally {
      applying = false;
    }
  }

  const loop = (async () => {
    while (!stopped) {
      try {
        await step();
      } catch (err) {
        if (stopped) break;
        log.warn('record writer problem; retrying', { err: err instanceof Error ? err.message : String(err) });
        await pause(OUTAGE_PAUSE_MS);
      }
    }
  })();

  return {
    name: 'record-writer',
    async close() {
      stopped = true;
      wake();
      // A batch being written is finished first; a blocked read, or a command waiting for Redis to
      // come back, is simply abandoned with its connection.
      if (applying) await loop;
      redis.disconnect();
      if (leased) await ctx.redis.eval(RELEASE, 1, LEASE, token).catch(() => undefined);
    },
  };
}
