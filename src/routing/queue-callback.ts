import type { Context } from '../context';
import { appendCallEvent, updateCallRecord } from '../records/call-events';
import { createCallbackTask } from './callback-tasks';
import { enterQueue } from './queue-entry';
import { callbackTaskId, endWait, getTask, setTaskFields, type RoutingTask } from './task-store';

/**
 * A waiting caller pressed 1: a CallbackTask is stored (durable) and a callback task takes the
 * call's place in line (same priority, same age), to be routed to an agent like a call.
 * @returns the callback task, or null when the call was already being connected
 */
export async function convertToCallback(ctx: Context, callTask: RoutingTask, phone: string): Promise<RoutingTask | null> {
  if (callTask.state !== 'waiting') return null;
  const cb = await createCallbackTask(ctx, {
    key: `queue-callback:${callTask.callSid ?? callTask.id}`,
    callSid: callTask.callSid,
    patientId: callTask.pop.patientId,
    phone,
    language: callTask.language,
    reason: 'queue_callback',
    priority: callTask.priority,
    queueName: callTask.queue,
    // dueAt: the voicemail SLA (end of the next business day); routing takes it now all the same.
  });
  const { previous } = await endWait(ctx, callTask.id, 'converted');
  if (previous !== 'waiting') {
    // An agent was reserved in the meantime: the caller stays for them; the stored task is moot.
    await ctx.db.callbackTask.update({ where: { id: cb.id }, data: { status: 'cancelled' } });
    return null;
  }
  await setTaskFields(ctx, callTask.id, { leaveFor: 'callback' });
  const task = await enterQueue(ctx, {
    kind: 'callback',
    id: callbackTaskId(cb.id),
    queue: callTask.queue,
    language: callTask.language,
    reason: callTask.reason,
    requiredSkills: callTask.requiredSkills,
    verified: callTask.verified,
    from: phone,
    requestedPriority: callTask.priority,
    enqueuedAt: callTask.enqueuedAt,
    pop: { ...callTask.pop, phone, callbackId: cb.id },
  });
  if (callTask.callSid) {
    await updateCallRecord(ctx, callTask.callSid, { outcome: 'callback', queueExitedAt: ctx.clock.now() });
    await appendCallEvent(ctx, callTask.callSid, { key: `queue-callback:${cb.id}`, type: 'queue', name: 'callback_requested', detail: { callbackId: cb.id } });
  }
  return (await getTask(ctx, task.id)) ?? task;
}

/**
 * Puts every open queue callback from PostgreSQL into routing (those waiting for a retry once their
 * retryAt has come): after a Redis loss, and when a callback nobody answered is to be tried again.
 * Tasks live in Redis are left as they are.
 * @returns how many were (re)queued
 */
export async function restoreCallbacks(ctx: Context): Promise<number> {
  const now = ctx.clock.now();
  const open = await ctx.db.callbackTask.findMany({ where: { status: 'open', reason: 'queue_callback', OR: [{ retryAt: null }, { retryAt: { lte: now } }] }, take: 500 });
  let restored = 0;
  for (const cb of open) {
    const live = await getTask(ctx, callbackTaskId(cb.id));
    if (live && live.state !== 'done' && live.state !== 'abandoned' && live.state !== 'converted') continue;
    await enterQueue(ctx, {
      kind: 'callback',
      id: callbackTaskId(cb.id),
      queue: cb.queueName ?? 'general',
      language: cb.language,
      reason: 'queue_callback',
      requiredSkills: [],
      verified: false,
      from: cb.phone,
      requestedPriority: cb.priority,
      enqueuedAt: Math.max(cb.createdAt.getTime(), Math.min((cb.retryAt ?? cb.createdAt).getTime(), now.getTime())),
      pop: { ivrPath: [], phone: cb.phone, callbackId: cb.id },
    });
    restored++;
  }
  return restored;
}
