import type { Context } from '../context';
import type { Worker } from '../workers';
import { routingConfig } from './config';
import { dispatch } from './dispatch';
import { ringNoAnswer } from './handling';
import { keys } from './keys';
import { restoreCallbacks } from './queue-callback';
import { getTask } from './task-store';

// Seconds past the ring deadline before the sweeper steps in: normally the Dial action reports a
// no-answer first; the sweeper catches reservations nobody reported on (a lost webhook, a callback
// offer the agent never clicked).
const SWEEP_GRACE_MS = 10_000;
// How often due callbacks are looked for in PostgreSQL.
const RESTORE_EVERY_MS = 60_000;

/**
 * One tick: reservations rung out without a word are treated as ring-no-answer, then assignment
 * runs (which also applies escalation steps that came due).
 */
export async function routingTick(ctx: Context): Promise<void> {
  const overdue = await ctx.redis.zrangebyscore(keys.reserved, 0, ctx.clock.now().getTime() - SWEEP_GRACE_MS);
  for (const taskId of overdue) {
    const task = await getTask(ctx, taskId);
    if (!task?.agentId) {
      await ctx.redis.zrem(keys.reserved, taskId);
      continue;
    }
    await ringNoAnswer(ctx, taskId, task.agentId);
  }
  await dispatch(ctx);
}

async function requeueDueCallbacks(ctx: Context): Promise<void> {
  const restored = await restoreCallbacks(ctx).catch((err: unknown) => {
    ctx.log.warn('could not put due callbacks into routing', { err });
    return 0;
  });
  if (restored) ctx.log.info('due callbacks put into routing', { restored });
}

/** The routing worker: queues due callbacks (now and every minute), and ticks every `escalationTickMs`. */
export async function startRoutingWorker(ctx: Context): Promise<Worker> {
  await requeueDueCallbacks(ctx);
  let current: Promise<void> | undefined;
  let lastRestore = Date.now();
  const timer = setInterval(() => {
    if (current) return;
    const restore = Date.now() - lastRestore >= RESTORE_EVERY_MS;
    if (restore) lastRestore = Date.now();
    current = (restore ? requeueDueCallbacks(ctx) : Promise.resolve())
      .then(() => routingTick(ctx))
      .catch((err: unknown) => {
        ctx.log.warn('routing tick failed', { err });
      })
      .finally(() => {
        current = undefined;
      });
  }, routingConfig(ctx).escalationTickMs);
  return {
    name: 'routing',
    async close() {
      clearInterval(timer);
      // Let a tick in flight finish before PostgreSQL and Redis close.
      await current;
    },
  };
}
