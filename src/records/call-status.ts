import type { Context } from '../context';
import { writeDurably } from './durable-write';
import type { StatusUpdate } from './record-store';

export { statusRank, TERMINAL_STATUSES, type StatusUpdate } from './record-store';

/**
 * Records one status callback on the call's record, creating the record if this is the first word
 * of the call. Safe to call twice and in any order: a status only moves a call forward (see
 * record-store.ts). A terminal status computes the call's derived figures (finalize.ts). Never
 * fails because PostgreSQL is down: the callback is journaled and written moments later.
 */
export async function applyStatusCallback(ctx: Context, u: StatusUpdate): Promise<void> {
  await writeDurably(ctx, { kind: 'status', update: u });
}
