import { Prisma } from '../db/client';

/** Raised when a database write did not finish within the time a webhook can afford. */
export class DbTimeout extends Error {
  constructor(ms: number) {
    super(`database did not answer within ${ms} ms`);
    this.name = 'DbTimeout';
  }
}

// Prisma's own codes for "cannot reach / lost / pool exhausted".
const PRISMA_CONNECTION_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1011', 'P1017', 'P2024']);
// The driver adapter's kinds for the same.
const ADAPTER_CONNECTION_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections', 'TransactionAlreadyClosed', 'DatabaseDoesNotExist', 'TlsConnectionError']);
// PostgreSQL SQLSTATEs: class 08 connection exceptions, admin/crash shutdown, cannot connect now,
// too many connections, and 55000 as raised for a database that does not allow connections.
const SQLSTATE_CONNECTION = /^(08...|57P0[1-3]|53300|55000)$/;
const NODE_CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND']);
const MESSAGE_HINTS = /connection terminated|timeout exceeded when trying to connect|not currently accepting connections|Connection terminated unexpectedly|Can't reach database server/i;

/**
 * Whether an error means PostgreSQL could not be reached (so the write should wait and be retried)
 * rather than that the write itself is wrong (which retrying would not fix).
 * @param err - anything thrown by a database call
 */
export function isDbUnavailable(err: unknown): boolean {
  if (err instanceof DbTimeout) return true;
  if (err instanceof Prisma.PrismaClientInitializationError) return true;
  if (err instanceof Prisma.PrismaClientKnownRequestError) {
    if (PRISMA_CONNECTION_CODES.has(err.code)) return true;
    const cause = (err.meta as { driverAdapterError?: { cause?: { kind?: string; originalCode?: string; code?: string } } } | undefined)?.driverAdapterError?.cause;
    if (cause?.kind && ADAPTER_CONNECTION_KINDS.has(cause.kind)) return true;
    const sqlState = cause?.originalCode ?? cause?.code;
    if (sqlState && SQLSTATE_CONNECTION.test(sqlState)) return true;
  }
  const e = err as { code?: unknown; message?: unknown; cause?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  if (typeof e.code === 'string' && (NODE_CONNECTION_CODES.has(e.code) || SQLSTATE_CONNECTION.test(e.code))) return true;
  if (typeof e.message === 'string' && MESSAGE_HINTS.test(e.message)) return true;
  return e.cause !== undefined && e.cause !== err && isDbUnavailable(e.cause);
}

/**
 * How long a request in a call's path waits for PostgreSQL before it takes its fallback (journal
 * the write, use the copy in Redis): well inside Twilio's webhook timeout.
 */
export const DB_FALLBACK_AFTER_MS = 1500;

/**
 * Runs a database operation, failing with {@link DbTimeout} if it takes longer than `ms`. The
 * operation itself is not cancelled; callers only use this for reads and idempotent writes.
 */
export async function withDbTimeout<T>(op: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DbTimeout(ms)), ms);
  });
  try {
    return await Promise.race([op, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
