import type { Context } from '../context';
import { publishAgentEvent } from '../agents/live';
import { appendCallEvent } from '../records/call-events';
import { absoluteUrl } from '../telephony/twiml';
import { conversationEnded, TaskConflict } from './handling';
import { enterQueue } from './queue-entry';
import { getTask, setTaskFields, type RoutingTask } from './task-store';

// Server-side control of a connected call (REST on the caller's leg): hold, hang up, transfer.
// The caller's leg is the one careline controls; the agent's browser leg follows.

function connected(task: RoutingTask, agentId: string): string {
  if (task.agentId !== agentId) throw new TaskConflict('this call is not yours');
  if (task.state !== 'connected' || !task.callSid) throw new TaskConflict(`call is ${task.state}`);
  return task.callSid;
}

/**
 * Puts the caller on hold (music) or back to the agent (their phone rings again and the console
 * answers it).
 */
export async function setHold(ctx: Context, task: RoutingTask, agentId: string, hold: boolean): Promise<void> {
  const callSid = connected(task, agentId);
  const n = ctx.clock.now().getTime();
  const q = `task=${encodeURIComponent(task.id)}&agent=${encodeURIComponent(agentId)}&a=${task.attempts}&n=${n}`;
  const url = absoluteUrl(ctx.config, hold ? `/webhooks/agent-call/hold?${q}` : `/webhooks/agent-call/connect?${q}`);
  await ctx.twilio.calls(callSid).update({ url, method: 'POST' });
  await setTaskFields(ctx, task.id, { held: hold ? '1' : '0' });
  await appendCallEvent(ctx, callSid, { key: `hold:${n}`, type: 'agent', name: hold ? 'hold' : 'resume', detail: { agentId } });
  await publishAgentEvent(ctx, agentId, { type: 'hold', taskId: task.id, hold });
}

/** Ends the call for everyone; the agent goes to wrap-up. */
export async function hangUp(ctx: Context, task: RoutingTask, agentId: string): Promise<void> {
  const callSid = connected(task, agentId);
  // The caller may be gone already (e.g. hung up while on hold): the agent still wraps up.
  await ctx.twilio.calls(callSid).update({ status: 'completed' }).catch((err: unknown) => ctx.log.warn('could not end the call at Twilio', { callSid, err }));
  await conversationEnded(ctx, task.id, agentId);
}

export type TransferTarget = { type: 'queue'; queue: string } | { type: 'agent'; agentId: string } | { type: 'number'; number: string };

/**
 * Transfers a connected caller. To a queue or an agent the caller waits in line (hearing the
 * queue's announcements) and is routed again; a named agent is the only one who may take it.
 * Cold: this agent goes to wrap-up at once. Warm: this agent stays on the task until the new one
 * accepts (no three-way consultation: see README). To a number: `<Dial>` out; this agent wraps up.
 * @returns the new task's id, for a queue or agent transfer
 */
export async function transferCall(ctx: Context, task: RoutingTask, agentId: string, to: TransferTarget, mode: 'cold' | 'warm'): Promise<string | undefined> {
  const callSid = connected(task, agentId);
  const n = ctx.clock.now().getTime();
  if (to.type === 'number') {
    await ctx.twilio.calls(callSid).update({ url: absoluteUrl(ctx.config, `/webhooks/agent-call/external?task=${encodeURIComponent(task.id)}&n=${n}&to=${encodeURIComponent(to.number)}`), method: 'POST' });
    await appendCallEvent(ctx, callSid, { key: `transfer:${n}`, type: 'agent', name: 'transfer', detail: { agentId, to: 'number', mode: 'cold' } });
    await conversationEnded(ctx, task.id, agentId);
    return undefined;
  }
  const id = `${task.id.split('~')[0]}~t${n.toString(36)}`;
  const next = await enterQueue(ctx, {
    kind: 'call',
    id,
    callSid,
    queue: to.type === 'queue' ? to.queue : task.queue,
    language: task.language,
    reason: task.reason,
    requiredSkills: [],
    verified: task.verified,
    from: task.pop.from,
    onlyAgent: to.type === 'agent' ? to.agentId : undefined,
    pop: { ...task.pop, ...(mode === 'warm' ? { warmFrom: agentId, warmTask: task.id } : {}) },
  });
  await ctx.twilio.calls(callSid).update({ url: absoluteUrl(ctx.config, `/webhooks/agent-call/requeue?task=${encodeURIComponent(next.id)}&a=0`), method: 'POST' });
  await appendCallEvent(ctx, callSid, { key: `transfer:${n}`, type: 'agent', name: 'transfer', detail: { agentId, to: to.type, queue: next.queue, targetAgent: to.type === 'agent' ? to.agentId : undefined, mode } });
  if (mode === 'cold') await conversationEnded(ctx, task.id, agentId);
  return next.id;
}

/** A warm transfer was taken: the agent who handed it over goes to wrap-up. */
export async function completeWarmTransfer(ctx: Context, newTask: RoutingTask): Promise<void> {
  const from = newTask.pop.warmFrom;
  const old = newTask.pop.warmTask;
  if (!from || !old) return;
  const oldTask = await getTask(ctx, old);
  if (oldTask?.state === 'connected') await conversationEnded(ctx, old, from);
}
