import type { Context } from '../context';
import { publishAgentEvent } from '../agents/live';
import { appendCallEvent } from '../records/call-events';
import { absoluteUrl } from '../telephony/twiml';
import { participantOf } from './conference';
import { cancelConsult, completeConsult, startConsult, type ConsultTarget } from './consult';
import { getConversation, type Conversation } from './conversation';
import { conversationEnded, NotYourCall, TaskConflict } from './handling';
import { setCallerHold } from './hold-control';
import { enterQueue, handOnEntry } from './queue-entry';
import type { RoutingTask } from './task-store';

// The owning agent's control of a live conversation, all on its Twilio Conference: hold, mute,
// hang up, transfer (cold, or warm through a consultation).

/** The conversation of a call the agent is connected to: 403 when it is not theirs, 409 when it is not live. */
export async function ownConversation(ctx: Context, task: RoutingTask, agentId: string): Promise<Conversation> {
  if (task.agentId !== agentId) throw new NotYourCall('this call is not yours');
  if (task.state !== 'connected' || !task.conference) throw new TaskConflict(`call is ${task.state}`);
  const conv = await getConversation(ctx, task.conference);
  if (!conv || conv.agentId !== agentId) throw new NotYourCall('this call is not yours');
  return conv;
}

/** Puts the caller on hold (music, "thank you for holding") or back with the agent, at once. */
export async function setHold(ctx: Context, task: RoutingTask, agentId: string, hold: boolean): Promise<void> {
  const conv = await ownConversation(ctx, task, agentId);
  if (conv.consult) throw new TaskConflict('the caller stays on hold during a consultation');
  await setCallerHold(ctx, conv, hold);
  await publishAgentEvent(ctx, agentId, { type: 'hold', taskId: task.id, hold });
}

/** Mutes or unmutes the agent's own leg. */
export async function setMute(ctx: Context, task: RoutingTask, agentId: string, muted: boolean): Promise<void> {
  const conv = await ownConversation(ctx, task, agentId);
  if (!conv.agentLeg) throw new TaskConflict('your phone is not on the call yet');
  await (await participantOf(ctx, conv, conv.agentLeg)).update({ muted });
  await publishAgentEvent(ctx, agentId, { type: 'mute', taskId: task.id, muted });
}

/** Ends the call for everyone (the caller leaving ends the conference); the agent goes to wrap-up. */
export async function hangUp(ctx: Context, task: RoutingTask, agentId: string): Promise<void> {
  if (task.agentId !== agentId) throw new NotYourCall('this call is not yours');
  if (task.state !== 'connected' || !task.callSid) throw new TaskConflict(`call is ${task.state}`);
  // The caller may be gone already (e.g. hung up while on hold): the agent still wraps up.
  await ctx.twilio.calls(task.callSid).update({ status: 'completed' }).catch((err: unknown) => ctx.log.warn('could not end the call at Twilio', { callSid: task.callSid, err }));
  await conversationEnded(ctx, task.id, agentId);
}

export type TransferTarget = ConsultTarget;

/**
 * Transfers a connected caller. Warm: a consultation (see consult.ts); complete or cancel it with
 * {@link finishTransfer}. Cold: the caller leaves the conference for the target at once (a queue, a
 * named agent through routing, or a number dialed out) and this agent goes to wrap-up.
 * @returns the new routing task's id, if one was made
 */
export async function transferCall(ctx: Context, task: RoutingTask, agentId: string, to: TransferTarget, mode: 'cold' | 'warm'): Promise<string | undefined> {
  const conv = await ownConversation(ctx, task, agentId);
  if (conv.consult) throw new TaskConflict('a consultation is already in progress');
  if (mode === 'warm') return (await startConsult(ctx, conv, task, agentId, to)).taskId;
  const callSid = conv.callerSid;
  const n = ctx.clock.now().getTime();
  if (to.type === 'number') {
    await ctx.twilio.calls(callSid).update({ url: absoluteUrl(ctx.config, `/webhooks/agent-call/external?task=${encodeURIComponent(task.id)}&n=${n}&to=${encodeURIComponent(to.number)}`), method: 'POST' });
    await appendCallEvent(ctx, callSid, { key: `transfer:${n}`, type: 'agent', name: 'transfer', detail: { agentId, to: 'number', mode: 'cold', result: 'completed' } });
    await conversationEnded(ctx, task.id, agentId);
    return undefined;
  }
  const next = await enterQueue(ctx, {
    ...handOnEntry(task, `${task.id.split('~')[0]}~t${n.toString(36)}`, to),
    callSid,
    pop: { ivrPath: task.pop.ivrPath, patientId: task.pop.patientId, from: task.pop.from, phone: task.pop.phone, callbackId: task.pop.callbackId },
  });
  // The caller leaves this conference (which then ends) for the queue; routing connects them again.
  await conversationEnded(ctx, task.id, agentId);
  await ctx.twilio.calls(callSid).update({ url: absoluteUrl(ctx.config, `/webhooks/agent-call/requeue?task=${encodeURIComponent(next.id)}&a=0`), method: 'POST' });
  await appendCallEvent(ctx, callSid, { key: `transfer:${n}`, type: 'agent', name: 'transfer', detail: { agentId, to: to.type, queue: next.queue, targetAgent: to.type === 'agent' ? to.agentId : undefined, mode: 'cold', result: 'completed' } });
  return next.id;
}

/** Completes or cancels the warm transfer the agent started. */
export async function finishTransfer(ctx: Context, task: RoutingTask, agentId: string, how: 'complete' | 'cancel'): Promise<void> {
  const conv = await ownConversation(ctx, task, agentId);
  if (!conv.consult) throw new TaskConflict('no consultation in progress');
  if (how === 'complete') await completeConsult(ctx, conv.name);
  else await cancelConsult(ctx, conv.name);
}
