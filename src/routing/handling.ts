import type { Context } from '../context';
import { publishAgentEvent, publishSupervisorEvent } from '../agents/live';
import { audit } from '../records/audit';
import { appendCallEvent, recordWrapUpEnd, updateCallRecord } from '../records/call-events';
import { absoluteUrl } from '../telephony/twiml';
import { dispatch } from './dispatch';
import { setConversation } from './conversation';
import { keys } from './keys';
import { getPresence, setAgentState } from './presence';
import { endWait, findTask, getTask, linkCall, requeueTask, transitionTask, type RoutingTask } from './task-store';

// What happens to a task once an agent holds it: accept, decline, ring-no-answer, the end of the
// conversation, wrap-up. Every step is a compare-and-set on the task and the agent, so a retried
// webhook or a double click changes nothing twice.

/** How long after an unanswered callback routing tries it again. */
export const CALLBACK_RETRY_MS = 60 * 60 * 1000;

/** Raised when an agent acts on a task that is not in the right state (409 at the API). */
export class TaskConflict extends Error {}

/** Raised when a staff member acts on a call that is not theirs (403 at the API). */
export class NotYourCall extends Error {}

/**
 * Stamps the call record answered by this agent, once per task: only Twilio's word that the
 * agent's leg joined (its status callback, or the conference's join event) calls this, never the
 * console's Accept, which says nothing about whether anyone spoke. A task's flag (`answeredAt`,
 * set with HSETNX) keeps the first answer: Twilio telling it twice, or late, moves nothing.
 */
async function stamp(ctx: Context, task: RoutingTask, agentId: string, at: Date): Promise<void> {
  if (!task.callSid || task.kind !== 'call') return; // a callback's record is the callback call's own
  if (!(await ctx.redis.hsetnx(keys.task(task.id), 'answeredAt', String(at.getTime())))) return;
  await updateCallRecord(ctx, task.callSid, { agentId, agentAnsweredAt: at, queueExitedAt: at, queueName: task.queue });
  await appendCallEvent(ctx, task.callSid, { key: `agent-answered:${task.id}:${agentId}`, type: 'agent', name: 'answered', detail: { agentId, taskId: task.id }, at });
}

/**
 * The agent takes the task offered to them (the console's Accept). A queued call: the agent is busy
 * and the browser phone is told to answer the leg ringing into the conference; the call counts as
 * answered only once Twilio says that leg joined ({@link agentLegAnswered}). A callback: careline
 * calls the patient, who is connected to the agent in a conference.
 */
export async function acceptTask(ctx: Context, taskId: string, agentId: string): Promise<RoutingTask> {
  const task = await getTask(ctx, taskId);
  if (!task || task.agentId !== agentId) throw new TaskConflict('this task is not offered to you');
  if (task.state === 'connected') return task; // a repeated click, or the phone answered first
  if (!(await transitionTask(ctx, taskId, agentId, 'reserved', 'connected'))) {
    const fresh = await getTask(ctx, taskId);
    if (fresh?.state === 'connected' && fresh.agentId === agentId) return fresh; // the phone's answer got there first
    throw new TaskConflict(`task is ${fresh?.state ?? task.state}`);
  }
  await setAgentState(ctx, agentId, 'busy', { force: true, reason: 'accepted' });
  if (task.kind === 'callback') await startCallback(ctx, task, agentId);
  else if (task.callSid) await appendCallEvent(ctx, task.callSid, { key: `agent-accepted:${task.id}:${agentId}`, type: 'agent', name: 'accepted', detail: { agentId, taskId } });
  // The browser phone (or, in tests, the local Twilio's client) answers the ringing leg on this.
  await publishAgentEvent(ctx, agentId, { type: 'accept', taskId, callSid: task.callSid ?? null });
  await publishSupervisorEvent(ctx, { type: 'task', taskId, state: 'connected', agentId, queue: task.queue });
  return task;
}

async function startCallback(ctx: Context, task: RoutingTask, agentId: string): Promise<void> {
  if (!task.pop.callbackId || !task.pop.phone) return;
  await ctx.db.callbackTask.update({ where: { id: task.pop.callbackId }, data: { status: 'assigned', agentId } });
  const call = await ctx.twilio.calls.create({
    to: task.pop.phone,
    from: ctx.config.CARELINE_PHONE_NUMBER,
    url: absoluteUrl(ctx.config, `/webhooks/agent-call/callback?task=${encodeURIComponent(task.id)}&agent=${encodeURIComponent(agentId)}`),
    method: 'POST',
    statusCallback: absoluteUrl(ctx.config, `/webhooks/agent-call/callback-status?task=${encodeURIComponent(task.id)}&agent=${encodeURIComponent(agentId)}`),
    statusCallbackMethod: 'POST',
  });
  await linkCall(ctx, call.sid, task.id);
  await updateCallRecord(ctx, call.sid, { agentId, queueName: task.queue, intent: task.reason, language: task.language, outcome: 'callback', patientId: task.pop.patientId });
  await appendCallEvent(ctx, call.sid, { key: `callback:${task.pop.callbackId}`, type: 'agent', name: 'callback', detail: { callbackId: task.pop.callbackId, agentId } });
}

/**
 * The agent declines an offer: the task goes back to the head of its queue and is not offered to
 * them again; they stay available. A ringing caller is taken back into the queue.
 */
export async function declineTask(ctx: Context, taskId: string, agentId: string): Promise<void> {
  const task = await getTask(ctx, taskId);
  if (!task || task.agentId !== agentId || task.state !== 'reserved') throw new TaskConflict('nothing to decline');
  if (!(await requeueTask(ctx, taskId, agentId, true))) throw new TaskConflict('nothing to decline');
  await publishAgentEvent(ctx, agentId, { type: 'offer-cancelled', taskId, reason: 'declined' });
  if (task.kind === 'call' && task.callSid) {
    const url = absoluteUrl(ctx.config, `/webhooks/agent-call/requeue?task=${encodeURIComponent(taskId)}&a=${task.attempts}`);
    await ctx.twilio.calls(task.callSid).update({ url, method: 'POST' }).catch((err: unknown) => ctx.log.warn('could not take a declined call back to the queue', { taskId, err }));
  }
  await setAgentState(ctx, agentId, 'available', { force: true, ifState: 'reserved', reason: 'declined' });
  await dispatch(ctx);
}

/**
 * The agent's phone declined the ringing leg (its status busy): like {@link declineTask}; the
 * caller is taken back to the queue by the caller of this.
 * @returns whether the task was requeued
 */
export async function declinedOnPhone(ctx: Context, taskId: string, agentId: string): Promise<boolean> {
  if (!(await requeueTask(ctx, taskId, agentId, true))) return false;
  await publishAgentEvent(ctx, agentId, { type: 'offer-cancelled', taskId, reason: 'declined' });
  if ((await getPresence(ctx, agentId)).taskId === taskId) await setAgentState(ctx, agentId, 'available', { force: true, reason: 'declined' });
  return true;
}

/**
 * The agent's phone did not answer within the ring timeout: the agent becomes not-ready (break)
 * and the task goes back to the head of its queue.
 * @returns whether the task was requeued (false when it was no longer reserved for this agent)
 */
export async function ringNoAnswer(ctx: Context, taskId: string, agentId: string): Promise<boolean> {
  const requeued = await requeueTask(ctx, taskId, agentId, false);
  if (!requeued) return false;
  ctx.log.info('ring-no-answer: agent set not-ready, task back to the head of its queue', { taskId, agentId });
  // Reserved, or busy when the console accepted but the phone never answered.
  if ((await getPresence(ctx, agentId)).taskId === taskId) await setAgentState(ctx, agentId, 'break', { force: true, reason: 'ring-no-answer' });
  await publishAgentEvent(ctx, agentId, { type: 'offer-cancelled', taskId, reason: 'ring-no-answer' });
  const task = await getTask(ctx, taskId);
  if (task?.callSid) await appendCallEvent(ctx, task.callSid, { key: `rna:${taskId}:${task.attempts}`, type: 'agent', name: 'ring_no_answer', detail: { agentId } });
  return true;
}

/**
 * The caller hung up while waiting (or while an agent was being rung): removed from routing and
 * counted as abandoned; a reserved agent is free again.
 */
export async function abandonTask(ctx: Context, taskId: string): Promise<void> {
  const task = await getTask(ctx, taskId);
  const { previous, agentId } = await endWait(ctx, taskId, 'abandoned');
  if (previous !== 'waiting' && previous !== 'reserved') return;
  ctx.log.info('caller abandoned the queue', { taskId, callSid: task?.callSid });
  if (task?.callSid) {
    const now = ctx.clock.now();
    await updateCallRecord(ctx, task.callSid, { outcome: 'abandoned', queueExitedAt: now, waitSec: Math.max(0, Math.round((now.getTime() - task.enqueuedAt) / 1000)) });
  }
  if (agentId) {
    await setAgentState(ctx, agentId, 'available', { force: true, ifState: 'reserved', reason: 'caller hung up' });
    await publishAgentEvent(ctx, agentId, { type: 'offer-cancelled', taskId, reason: 'caller hung up' });
    await dispatch(ctx);
  }
  await publishSupervisorEvent(ctx, { type: 'task', taskId, state: 'abandoned', queue: task?.queue });
}

/**
 * Twilio says the agent's leg answered and joined the conversation's conference (the leg's status
 * callback said in-progress, or the conference's participant-join): the agent is on the call. Whether or not
 * the console's Accept came (the agent may have answered from the SDK's own prompt or a headset,
 * or the page's request was lost), the task is connected, the agent busy and the call answered,
 * so the sweep never treats a conversation in progress as a phone that rang out.
 * @param legSid - the agent leg's CallSid (hold, mute and monitoring address it)
 * @param at - when the leg answered, by Twilio's account
 */
export async function agentLegAnswered(ctx: Context, taskId: string, agentId: string, legSid: string, at: Date): Promise<void> {
  const task = await getTask(ctx, taskId);
  if (!task || task.agentId !== agentId) return; // requeued or taken meanwhile: not this agent's answer
  if (task.state === 'reserved' && (await transitionTask(ctx, taskId, agentId, 'reserved', 'connected'))) {
    ctx.log.info('agent answered on the phone without the console accepting', { taskId, agentId });
    await setAgentState(ctx, agentId, 'busy', { force: true, reason: 'answered' });
    // The console shows the call as live (it never saw an Accept of its own).
    await publishAgentEvent(ctx, agentId, { type: 'connected', taskId, callSid: task.callSid ?? null });
    await publishSupervisorEvent(ctx, { type: 'task', taskId, state: 'connected', agentId, queue: task.queue });
  } else if (task.state !== 'connected') return; // already over: a late callback
  if (task.conference) await setConversation(ctx, task.conference, { agentId, agentLeg: legSid });
  await stamp(ctx, task, agentId, at);
}

/**
 * The conversation ended for this agent (the caller left the conference, the agent hung up or
 * handed the call on): the agent goes to wrap-up. A task never connected is not touched.
 */
export async function conversationEnded(ctx: Context, taskId: string, agentId: string): Promise<void> {
  const task = await getTask(ctx, taskId);
  if (!task || task.agentId !== agentId) return;
  if (!(await transitionTask(ctx, taskId, agentId, 'connected', 'wrapup'))) return;
  await setAgentState(ctx, agentId, 'wrap-up', { force: true, reason: 'call ended' });
  await publishAgentEvent(ctx, agentId, { type: 'wrapup', taskId, callSid: task.callSid ?? null });
}

/**
 * A call's final status callback: an agent still connected to it goes to wrap-up. While the agent is
 * on the call the Dial action already did this; with the caller on hold (no Dial running) nothing
 * else would tell the agent the caller has hung up.
 */
export async function callEnded(ctx: Context, callSid: string): Promise<void> {
  const task = await findTask(ctx, callSid);
  if (task?.state === 'connected' && task.agentId && task.callSid === callSid) await conversationEnded(ctx, task.id, task.agentId);
}

export interface WrapUp {
  disposition?: string;
  notes?: string;
}

/** What saving a wrap-up did: `finished` ends the call's after-call work; `available` is the agent's state now. */
export interface WrapUpResult {
  finished: boolean;
  available: boolean;
}

/**
 * Saves the agent's disposition and notes on the call record, audited as any change of a record
 * is (journaled with the change while PostgreSQL is down). Once the conversation is over this
 * also ends wrap-up: the task is done and the agent is available again, unless a supervisor has
 * changed the agent's state meanwhile.
 * @param ip - the agent's address, for the audit entry
 */
export async function saveWrapUp(ctx: Context, task: RoutingTask, agentId: string, w: WrapUp, ip?: string): Promise<WrapUpResult> {
  if (task.agentId !== agentId) throw new TaskConflict('this call is not yours');
  const patch = { ...(w.disposition !== undefined ? { disposition: w.disposition } : {}), ...(w.notes !== undefined ? { notes: w.notes } : {}) };
  const fields = Object.keys(patch);
  // Whose record it is, as the screen pop decides (a caller who never proved who they are is nobody's).
  const patientId = task.verified || task.kind === 'callback' ? task.pop.patientId : undefined;
  const who = { actorType: 'agent' as const, actorId: agentId, ip, action: 'update', patientId };
  if (task.callSid && fields.length) {
    await updateCallRecord(ctx, task.callSid, patch);
    // The entry names the fields, never the note's text (as PATCH /api/call-records does).
    await audit(ctx, { ...who, entity: 'call_record', entityId: task.callSid, detail: { fields, via: 'wrapup', taskId: task.id } });
  }
  if (task.pop.callbackId && w.notes !== undefined) {
    await ctx.db.callbackTask.update({ where: { id: task.pop.callbackId }, data: { notes: w.notes } });
    await audit(ctx, { ...who, entity: 'callback_task', entityId: task.pop.callbackId, detail: { fields: ['notes'], via: 'wrapup', taskId: task.id } });
  }
  const fresh = await getTask(ctx, task.id);
  if (fresh?.state === 'connected') return { finished: false, available: false }; // still talking: notes saved, wrap-up later
  if (fresh?.state !== 'wrapup' || !(await transitionTask(ctx, task.id, agentId, 'wrapup', 'done'))) {
    return { finished: fresh?.state === 'done', available: (await getPresence(ctx, agentId)).state === 'available' };
  }
  if (task.callSid) await recordWrapUpEnd(ctx, task.callSid, agentId);
  if (task.pop.callbackId) {
    // "callback needed" (e.g. nobody answered) keeps the request open; routing tries again at retryAt.
    // Its dueAt (the SLA) stays: a retry does not move the deadline.
    const open = w.disposition === 'callback_needed';
    const retryAt = new Date(ctx.clock.now().getTime() + CALLBACK_RETRY_MS);
    await ctx.db.callbackTask.update({ where: { id: task.pop.callbackId }, data: open ? { status: 'open', agentId: null, retryAt } : { status: 'done', completedAt: ctx.clock.now() } });
  }
  // Only from wrap-up: a supervisor may have set the agent offline meanwhile, and that stands.
  const { changed } = await setAgentState(ctx, agentId, 'available', { force: true, ifState: 'wrap-up', reason: 'wrap-up done' });
  await dispatch(ctx);
  return { finished: true, available: changed };
}

/** The caller waited too long and leaves the queue for voicemail (a callback task, not routed live). */
export async function leaveForVoicemail(ctx: Context, taskId: string): Promise<void> {
  const task = await getTask(ctx, taskId);
  const { previous } = await endWait(ctx, taskId, 'converted');
  if (previous !== 'waiting' || !task?.callSid) return;
  await updateCallRecord(ctx, task.callSid, { outcome: 'voicemail', queueExitedAt: ctx.clock.now() });
}
