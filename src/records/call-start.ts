import type { Context } from '../context';
import { writeDurably } from './durable-write';
import type { CallStart } from './record-store';

export type { CallStart } from './record-store';

/**
 * Creates the call's record when Twilio first tells us of the call (idempotent on CallSid; Twilio's
 * facts fill a record another write created first). Never fails because PostgreSQL is down.
 */
export async function startCallRecord(ctx: Context, c: CallStart): Promise<void> {
  await writeDurably(ctx, { kind: 'start', call: { ...c, at: c.at ?? ctx.clock.now() } });
}
