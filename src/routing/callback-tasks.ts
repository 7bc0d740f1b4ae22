import type { Context } from '../context';
import { storeCallbackTask, type NewCallbackTask } from '../records/record-store';

export type { NewCallbackTask } from '../records/record-store';

/**
 * Creates a callback task once per key, due within one business day unless told otherwise, and
 * returns it (the existing one when the key was seen before). Needs PostgreSQL now; a webhook that
 * must answer whatever happens uses recordCallbackTask (src/records/callback-task-write.ts).
 */
export async function createCallbackTask(ctx: Context, t: NewCallbackTask) {
  return storeCallbackTask(ctx, { ...t, at: t.at ?? ctx.clock.now() });
}
