import type { Context } from '../context';
import { publishAgentEvent } from '../agents/live';
import { appendCallEvent } from '../records/call-events';
import { cancelRingingLegs, participantOf, rememberConferenceSid, removeParticipant } from './conference';
import { dispatch } from './dispatch';
import { getConversation, getParty, putParty, setConversation, type Consult, type Conversation } from './conversation';
import { conversationEnded, TaskConflict } from './handling';
import { setCallerHold } from './hold-control';
import { setAgentState } from './presence';
import { enterQueue, handOnEntry } from './queue-entry';
import { endWait, getTask, linkCall, setTaskFields, transitionTask, type RoutingTask } from './task-store';

// A warm transfer is a consultation inside the conversation's conference: the caller is held, the
// target joins and talks with the first agent; then complete (the first agent leaves to wrap-up
// and the caller is back, with the target) or cancel (the target leaves, the caller is back with
// the first agent). An agent or queue target is a routing task that rings whoever it reserves
// into this conference; a number is dialed as a participant.

export type ConsultTarget = { type: 'agent'; agentId: string } | { type: 'queue'; queue: string } | { type: 'number'; number: string };

/**
 * Starts a consultation from the agent who owns the conversation.
 * @param conv - the agent's own conversation, with no consultation in progress (the caller checks)
 */
export async function startConsult(ctx: Context, conv: Conversation, task: RoutingTask, agentId: string, to: ConsultTarget): Promise<Consult> {
  const n = ctx.clock.now().getTime();
  await setCallerHold(ctx, conv, true);
  let consult: Consult;
  if (to.type === 'number') {
    const leg = await ctx.twilio.conferences(conv.name).participants.create({
      from: ctx.config.CARELINE_PHONE_NUMBER,
      to: to.number,
      label: 'consult',
      startConferenceOnEnter: true,
      endConferenceOnExit: false,
      beep: 'false',
      timeout: 30,
      statusCallback: `${ctx.config.publicBaseUrl}/webhooks/conference/participant?conf=${encodeURIComponent(conv.name)}&task=${encodeURIComponent(task.id)}&agent=${encodeURIComponent(agentId)}&role=consult&a=0`,
      statusCallbackMethod: 'POST',
      statusCallbackEvent: ['ringing', 'answered', 'completed'],
    });
    await putParty(ctx, conv.name, { callSid: leg.callSid, role: 'consult', label: 'consult', detail: `…${to.number.slice(-4)}` });
    await rememberConferenceSid(ctx, conv.name, leg.conferenceSid);
    consult = { to: 'number', leg: leg.callSid, startedAt: n };
  } else {
    if (to.type === 'agent' && to.agentId === agentId) throw new TaskConflict('you are already on this call');
    const target = await enterQueue(ctx, {
      ...handOnEntry(task, `${task.id.split('~')[0]}~c${n.toString(36)}`, to),
      requestedPriority: 100,
      pop: { ...task.pop, consult: conv.name, warmFrom: agentId },
    });
    consult = { to: to.type, taskId: target.id, targetAgentId: to.type === 'agent' ? to.agentId : undefined, startedAt: n };
  }
  await setConversation(ctx, conv.name, { consult });
  await appendCallEvent(ctx, conv.callerSid, { key: `consult:${n}`, type: 'agent', name: 'transfer', detail: { agentId, to: to.type, queue: to.type === 'queue' ? to.queue : undefined, targetAgent: to.type === 'agent' ? to.agentId : undefined, mode: 'warm', result: 'started' } });
  if (consult.taskId) {
    const reserved = await dispatch(ctx);
    // A named agent who is not free cannot be consulted: the caller is back with this agent at once.
    if (to.type === 'agent' && !reserved.some((r) => r.taskId === consult.taskId)) {
      await consultEnded(ctx, conv.name, 'not available');
      throw new TaskConflict('that agent is not available');
    }
  }
  return consult;
}

/** The consult target's leg answered (its status callback, or its join event). */
export async function consultAnswered(ctx: Context, name: string, legSid: string): Promise<void> {
  const conv = await getConversation(ctx, name);
  if (!conv?.consult) return;
  if (!conv.consult.leg) await setConversation(ctx, name, { consult: { ...conv.consult, leg: legSid } });
  if (conv.consult.taskId) {
    const t = await getTask(ctx, conv.consult.taskId);
    if (t?.agentId && t.state === 'reserved' && (await transitionTask(ctx, t.id, t.agentId, 'reserved', 'connected'))) {
      await setAgentState(ctx, t.agentId, 'busy', { force: true, reason: 'consultation' });
      await publishAgentEvent(ctx, t.agentId, { type: 'connected', taskId: t.id, consult: true });
    }
  }
  if (conv.agentId) await publishAgentEvent(ctx, conv.agentId, { type: 'consult', taskId: conv.taskId, state: 'connected' });
}

/**
 * The consultation ended without completing: declined, not answered, cancelled, the target or the
 * caller left. The target's task ends, the caller is unheld with the first agent, who is told why.
 */
export async function consultEnded(ctx: Context, name: string, reason: string): Promise<void> {
  const conv = await getConversation(ctx, name);
  if (!conv?.consult) return;
  const c = conv.consult;
  await setConversation(ctx, name, { consult: null });
  if (c.taskId) await endTargetTask(ctx, c.taskId, reason === 'no answer' ? 'break' : 'available');
  if (c.leg && reason !== 'left') await removeParticipant(ctx, conv, c.leg);
  // A target still ringing is stopped: the consultation is over.
  await cancelRingingLegs(ctx, name, 'consult');
  if (reason !== 'caller hung up') await setCallerHold(ctx, conv, false).catch((err: unknown) => ctx.log.warn('could not take the caller off hold', { err }));
  await appendCallEvent(ctx, conv.callerSid, { key: `consult-end:${c.startedAt}`, type: 'agent', name: 'transfer', detail: { agentId: conv.agentId, to: c.to, mode: 'warm', result: 'cancelled', reason } });
  if (conv.agentId) await publishAgentEvent(ctx, conv.agentId, { type: 'consult', taskId: conv.taskId, state: 'ended', reason });
}

async function endTargetTask(ctx: Context, taskId: string, after: 'available' | 'break'): Promise<void> {
  const t = await getTask(ctx, taskId);
  if (!t) return;
  if (t.state === 'waiting' || t.state === 'reserved') await endWait(ctx, taskId, 'abandoned');
  if (t.agentId) {
    if (t.state === 'connected') await transitionTask(ctx, taskId, t.agentId, 'connected', 'done');
    await setAgentState(ctx, t.agentId, after, { force: true, reason: 'consultation ended' });
    await publishAgentEvent(ctx, t.agentId, { type: 'offer-cancelled', taskId, reason: 'consultation ended' });
  }
}

/**
 * Completes the consultation: the first agent leaves to wrap-up, the caller is unheld with the
 * target, who now owns the conversation (an outside number: the caller and they stay connected).
 */
export async function completeConsult(ctx: Context, name: string): Promise<void> {
  const conv = await getConversation(ctx, name);
  const c = conv?.consult;
  if (!conv || !c?.leg || !(await getParty(ctx, name, c.leg))?.joined) throw new TaskConflict('no consultation in progress');
  const oldTask = conv.taskId;
  const oldAgent = conv.agentId;
  const oldLeg = conv.agentLeg;
  const target = c.taskId ? await getTask(ctx, c.taskId) : null;
  await setConversation(ctx, name, {
    consult: null,
    taskId: target?.id ?? oldTask,
    agentId: target?.agentId ?? null,
    agentLeg: target?.agentId ? c.leg : null,
  });
  // The target's task now carries the caller's call and conference, so their hold, mute, hang-up,
  // participants and wrap-up (and the caller's final status callback) reach it.
  if (target) {
    await setTaskFields(ctx, target.id, { conference: name });
    await linkCall(ctx, conv.callerSid, target.id);
  }
  await putParty(ctx, name, { callSid: c.leg, role: target?.agentId ? 'agent' : 'party' });
  // An outside party now ends the conference when they hang up, as the caller does.
  if (!target) await (await participantOf(ctx, conv, c.leg)).update({ endConferenceOnExit: true });
  await setCallerHold(ctx, conv, false);
  if (oldAgent) await conversationEnded(ctx, oldTask, oldAgent);
  if (oldLeg) await removeParticipant(ctx, conv, oldLeg);
  await appendCallEvent(ctx, conv.callerSid, { key: `consult-done:${c.startedAt}`, type: 'agent', name: 'transfer', detail: { agentId: oldAgent, to: c.to, targetAgent: target?.agentId, mode: 'warm', result: 'completed' } });
  if (target?.agentId) await publishAgentEvent(ctx, target.agentId, { type: 'transferred', taskId: target.id, from: oldAgent });
}

/** Cancels the consultation: the target leaves, the caller is back with the first agent. */
export async function cancelConsult(ctx: Context, name: string): Promise<void> {
  const conv = await getConversation(ctx, name);
  if (!conv?.consult) throw new TaskConflict('no consultation in progress');
  await consultEnded(ctx, name, 'cancelled');
}

/**
 * The target declines a consultation offered to them in the console: the consultation ends (a
 * named target cannot be offered it again), the caller is back with the first agent.
 */
export async function declineConsult(ctx: Context, task: RoutingTask, agentId: string): Promise<void> {
  if (!task.pop.consult || task.agentId !== agentId || task.state !== 'reserved') throw new TaskConflict('nothing to decline');
  await consultEnded(ctx, task.pop.consult, 'declined');
}
