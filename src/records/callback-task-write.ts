import type { Context } from '../context';
import { writeDurably } from './durable-write';
import type { NewCallbackTask } from './record-store';

/**
 * Creates a callback task once per key (due by the end of the next business day after now unless
 * `dueAt` says otherwise), kept and written later if PostgreSQL is down. Use this from webhooks
 * where the caller must hear TwiML whatever happens; it does not return the task.
 * @param t - the task; `at` defaults to now
 */
export async function recordCallbackTask(ctx: Context, t: NewCallbackTask): Promise<void> {
  await writeDurably(ctx, { kind: 'callback-task', task: { ...t, at: t.at ?? ctx.clock.now() } });
}
