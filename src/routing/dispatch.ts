import type { Context } from '../context';
import { publishAgentEvent, publishSupervisorEvent } from '../agents/live';
import { absoluteUrl } from '../telephony/twiml';
import { assignWaiting, type Reservation } from './assign';
import { addStaffLeg, ringAgentIntoConference } from './conference';
import { callerBackToQueue } from './caller-moves';
import { routingConfig } from './config';
import { setAgentState } from './presence';
import { offerEvent } from './screen-pop';
import { endWait, getTask, requeueTask, setTaskFields, type RoutingTask } from './task-store';

/**
 * Assigns waiting tasks to available agents and starts connecting each reservation. Called when a
 * caller's first wait request arrives (the call is in the Twilio queue), when an agent becomes
 * available, and on the escalation tick. Safe to call from any instance at any time.
 * @returns the reservations made
 */
export async function dispatch(ctx: Context): Promise<Reservation[]> {
  const cfg = routingConfig(ctx);
  const reservations = await assignWaiting(ctx, cfg.ringTimeoutSec);
  for (const r of reservations) {
    try {
      await offer(ctx, r);
    } catch (err) {
      ctx.log.error('could not offer a reserved task', { taskId: r.taskId, agentId: r.agentId, err });
    }
  }
  return reservations;
}

async function queueSidOf(ctx: Context, task: RoutingTask): Promise<string | undefined> {
  if (task.queueSid) return task.queueSid;
  const queues = await ctx.twilio.queues.list({ limit: 1000 });
  const sid = queues.find((q) => q.friendlyName === task.queue)?.sid;
  if (sid) await setTaskFields(ctx, task.id, { queueSid: sid });
  return sid;
}

/**
 * Tells the agent (screen pop) and, for a queued call, dequeues the caller into the conversation's
 * conference and rings the agent's browser phone into it. A consultation rings the agent into the
 * conference the caller is already in.
 */
async function offer(ctx: Context, r: Reservation): Promise<void> {
  const task = await getTask(ctx, r.taskId);
  if (!task) return;
  ctx.log.info('task reserved', { taskId: r.taskId, agentId: r.agentId, attempt: r.attempt, callSid: task.callSid });
  await publishAgentEvent(ctx, r.agentId, offerEvent(ctx, task, r.agentId));
  await publishSupervisorEvent(ctx, { type: 'task', taskId: task.id, state: 'reserved', agentId: r.agentId, queue: task.queue });
  if (task.pop.consult) {
    await addStaffLeg(ctx, { ...task, conference: task.pop.consult }, r.agentId, 'consult', r.attempt);
    return;
  }
  if (task.kind !== 'call' || !task.callSid) return; // a callback rings when the agent accepts it
  const url = absoluteUrl(ctx.config, `/webhooks/agent-call/connect?task=${encodeURIComponent(task.id)}&agent=${encodeURIComponent(r.agentId)}&a=${r.attempt}`);
  try {
    const queueSid = await queueSidOf(ctx, task);
    if (!queueSid) throw Object.assign(new Error('queue not found at Twilio'), { status: 404 });
    await ctx.twilio.queues(queueSid).members(task.callSid).update({ url, method: 'POST' });
  } catch (err) {
    const status = (err as { status?: number }).status;
    // 404: the caller is no longer in the queue (hung up while we reserved). Otherwise Twilio is
    // unreachable: the reservation is undone and the escalation tick retries.
    await undoReservation(ctx, task.id, r.agentId, status === 404 ? 'caller gone' : 'connect failed');
    throw err;
  }
  try {
    await ringAgentIntoConference(ctx, task, r.agentId, r.attempt);
  } catch (err) {
    // The caller is out of the queue already: take them back to the head of it.
    await undoReservation(ctx, task.id, r.agentId, 'connect failed');
    await callerBackToQueue(ctx, task.id).catch(() => undefined);
    throw err;
  }
}

/** A reservation that could not be connected: the task ends (caller gone) or waits again, the agent is free. */
async function undoReservation(ctx: Context, taskId: string, agentId: string, reason: 'caller gone' | 'connect failed'): Promise<void> {
  if (reason === 'caller gone') await endWait(ctx, taskId, 'abandoned');
  else await requeueTask(ctx, taskId, agentId, false);
  await setAgentState(ctx, agentId, 'available', { force: true, ifState: 'reserved', reason });
  await publishAgentEvent(ctx, agentId, { type: 'offer-cancelled', taskId });
}
