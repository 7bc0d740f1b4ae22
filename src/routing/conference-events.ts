import type { Context } from '../context';
import { publishAgentEvent, publishSupervisorEvent } from '../agents/live';
import { appendCallEvent, updateCallRecord } from '../records/call-events';
import { completeConsult, consultAnswered, consultEnded } from './consult';
import { cancelRingingLegs } from './conference';
import { closeConversation, dropParty, getConversation, getParty, holdEnded, holdStarted, putParty, setConversation, type Conversation, type PartyRole } from './conversation';
import { abandonTask, agentLegAnswered, conversationEnded, declinedOnPhone, ringNoAnswer } from './handling';
import { getTask } from './task-store';
import { partyUnanswered } from './participants';
import { queueLanguage, queuePrompts, VOICES } from './prompts';
import { VoiceResponse } from '../telephony/twiml';
import { callerBackToQueue, sayGoodbyeToCaller } from './caller-moves';

// What Twilio tells careline about a conversation's conference, and what careline does about it.
// Two sources, both Twilio's word: the conference status callback (join, leave, hold, mute, start,
// end) and each leg careline added's own call status callback (ringing, answered, no-answer, busy).

/** A conference status callback, as parsed at the edge. */
export interface ConferenceEvent {
  event: string;
  conferenceSid?: string;
  callSid?: string;
  label?: string;
  hold?: boolean;
  muted?: boolean;
  coaching?: boolean;
}

/** A participant leg's call status callback, as parsed at the edge. */
export interface LegStatus {
  conference: string;
  taskId: string;
  agentId: string;
  role: Extract<PartyRole, 'agent' | 'consult' | 'supervisor' | 'party'>;
  callSid: string;
  status: string;
}

/** A leg careline rang reported its call status. */
export async function onLegStatus(ctx: Context, s: LegStatus): Promise<void> {
  if (s.role === 'consult') {
    if (s.status === 'in-progress') return consultAnswered(ctx, s.conference, s.callSid);
    if (['busy', 'no-answer', 'failed', 'canceled'].includes(s.status)) return consultEnded(ctx, s.conference, s.status === 'busy' ? 'declined' : 'no answer');
    return;
  }
  if (s.role === 'party') {
    if (['busy', 'no-answer', 'failed', 'canceled'].includes(s.status)) await partyUnanswered(ctx, s.conference, s.callSid, s.status);
    return;
  }
  if (s.role === 'supervisor') {
    if (['busy', 'no-answer', 'failed', 'canceled'].includes(s.status)) await setConversation(ctx, s.conference, { monitor: null });
    return;
  }
  switch (s.status) {
    case 'in-progress':
      await agentLegAnswered(ctx, s.taskId, s.agentId, s.callSid, ctx.clock.now());
      return;
    case 'busy':
      // Declined on the phone: back to the queue, never offered to that agent again.
      if (await declinedOnPhone(ctx, s.taskId, s.agentId)) await callerBackToQueue(ctx, s.taskId);
      return;
    case 'no-answer':
    case 'failed':
      if (await ringNoAnswer(ctx, s.taskId, s.agentId)) await callerBackToQueue(ctx, s.taskId);
      return;
    default:
      return; // ringing; completed and canceled are told by the conference's leave event
  }
}

/** A conference status callback for a conversation. */
export async function onConferenceEvent(ctx: Context, name: string, e: ConferenceEvent): Promise<void> {
  const conv = await getConversation(ctx, name);
  if (!conv) return;
  if (e.event === 'conference-start' && e.conferenceSid) return setConversation(ctx, name, { conferenceSid: e.conferenceSid });
  if (e.event === 'conference-end') return conferenceEnded(ctx, conv);
  if (!e.callSid) return;
  switch (e.event) {
    case 'participant-join': {
      const party = await putParty(ctx, name, { callSid: e.callSid, joined: true, hold: e.hold ?? false, muted: e.muted ?? false, coaching: e.coaching, since: ctx.clock.now().getTime(), ...(e.label === 'caller' ? { role: 'caller' as const, label: 'caller' } : {}) });
      if (party.role === 'agent' && party.agentId) await agentLegAnswered(ctx, conv.taskId, party.agentId, e.callSid, ctx.clock.now());
      if (party.role === 'consult') await consultAnswered(ctx, name, e.callSid);
      await publishConversation(ctx, conv);
      return;
    }
    case 'participant-leave': {
      const party = await dropParty(ctx, name, e.callSid);
      if (party) await partyLeft(ctx, conv, party.role, e.callSid);
      await publishConversation(ctx, conv);
      return;
    }
    case 'participant-hold':
    case 'participant-unhold':
      await putParty(ctx, name, { callSid: e.callSid, hold: e.event === 'participant-hold' });
      if (e.callSid === conv.callerSid) await callerHold(ctx, conv, e.event === 'participant-hold');
      await publishConversation(ctx, conv);
      return;
    case 'participant-mute':
    case 'participant-unmute':
      await putParty(ctx, name, { callSid: e.callSid, muted: e.event === 'participant-mute' });
      await publishConversation(ctx, conv);
      return;
    default:
      return;
  }
}

/** Hold spans of the caller, from Twilio's hold events: the record's holdSec and holdCount. */
async function callerHold(ctx: Context, conv: Conversation, held: boolean): Promise<void> {
  const now = ctx.clock.now().getTime();
  if (held) {
    if (conv.holdSince !== undefined) return; // a repeated hold event
    const count = await holdStarted(ctx, conv.name, now);
    await updateCallRecord(ctx, conv.callerSid, { holdCount: count });
    await appendCallEvent(ctx, conv.callerSid, { key: `hold:${count}`, type: 'agent', name: 'hold', detail: { agentId: conv.agentId } });
    return;
  }
  if (conv.holdSince === undefined) return;
  const holdCount = await closeHold(ctx, conv, conv.holdSince, now);
  await appendCallEvent(ctx, conv.callerSid, { key: `resume:${holdCount}`, type: 'agent', name: 'resume', detail: { agentId: conv.agentId, heldSec: Math.round((now - conv.holdSince) / 1000) } });
}

/** Ends the caller's current hold span and writes the record's holdSec. @returns the number of holds */
async function closeHold(ctx: Context, conv: Conversation, since: number, at: number): Promise<number> {
  const { holdMs, holdCount } = await holdEnded(ctx, conv.name, since, at);
  await updateCallRecord(ctx, conv.callerSid, { holdSec: Math.round(holdMs / 1000) });
  return holdCount;
}

async function partyLeft(ctx: Context, conv: Conversation, role: PartyRole, callSid: string): Promise<void> {
  if (role === 'caller') return callerLeft(ctx, conv);
  if (role === 'agent' && callSid === conv.agentLeg) return ownerAgentLeft(ctx, conv);
  if (role === 'consult' && conv.consult?.leg === callSid) return consultEnded(ctx, conv.name, 'left');
  if (role === 'supervisor' && conv.monitor?.leg === callSid) return setConversation(ctx, conv.name, { monitor: null });
}

/**
 * The caller left the conference: hung up (the conversation is over: the agent wraps up; a
 * ringing agent is stopped) or moved by careline (back to a queue, transferred: nothing to do).
 */
async function callerLeft(ctx: Context, conv: Conversation): Promise<void> {
  // Left while held: Twilio sends no unhold then, and the hold still counts.
  if (conv.holdSince !== undefined) await closeHold(ctx, conv, conv.holdSince, ctx.clock.now().getTime());
  const task = await getTask(ctx, conv.taskId);
  if (task?.state === 'reserved') {
    await abandonTask(ctx, task.id);
    if (conv.agentLeg === undefined) await cancelRingingLegs(ctx, conv.name);
  } else if (task?.state === 'connected' && task.agentId) {
    await conversationEnded(ctx, task.id, task.agentId);
  }
  if (conv.consult) await consultEnded(ctx, conv.name, 'caller hung up');
  if (task?.state !== 'waiting') await closeConversation(ctx, conv.name);
}

/**
 * The agent who owns the conversation left (hung up the browser phone, closed the page). With a
 * consult target on the line the caller stays with them (the transfer completes); otherwise the
 * caller is never left alone in a silent conference: they hear goodbye and the call ends.
 */
async function ownerAgentLeft(ctx: Context, conv: Conversation): Promise<void> {
  if (conv.consult?.leg && (await getParty(ctx, conv.name, conv.consult.leg))?.joined) {
    await completeConsult(ctx, conv.name);
    return;
  }
  const task = await getTask(ctx, conv.taskId);
  if (task?.state === 'connected' && task.agentId) await conversationEnded(ctx, task.id, task.agentId);
  // Only a caller still in this conference: one careline moved on (a cold transfer) is elsewhere now.
  if ((await getParty(ctx, conv.name, conv.callerSid))?.joined) await sayGoodbyeToCaller(ctx, conv);
}

async function conferenceEnded(ctx: Context, conv: Conversation): Promise<void> {
  const task = await getTask(ctx, conv.taskId);
  if (task?.state === 'connected' && task.agentId && !(await getParty(ctx, conv.name, conv.callerSid))) await conversationEnded(ctx, task.id, task.agentId);
  if (task?.state !== 'waiting') await closeConversation(ctx, conv.name);
  await publishConversation(ctx, conv);
}

/** Tells the owning agent and supervisors that who is on the line changed. */
async function publishConversation(ctx: Context, conv: Conversation): Promise<void> {
  const event = { type: 'conversation', taskId: conv.taskId, conference: conv.name };
  if (conv.agentId) await publishAgentEvent(ctx, conv.agentId, event);
  await publishSupervisorEvent(ctx, event);
}

/**
 * The caller's `<Dial><Conference>` ended without careline moving them (the conference ended, or
 * they hung up): the conversation is over for the agent, and a caller still on the line hears
 * goodbye.
 * @returns the TwiML for the rest of the caller's call
 */
export async function conversationLeft(ctx: Context, taskId: string, callSid: string): Promise<string> {
  const task = await getTask(ctx, taskId);
  if (task?.callSid === callSid) {
    if (task.state === 'connected' && task.agentId) await conversationEnded(ctx, task.id, task.agentId);
    else if (task.state === 'reserved') await abandonTask(ctx, task.id);
  }
  const lang = queueLanguage(task?.language);
  const r = new VoiceResponse();
  r.say(VOICES[lang], queuePrompts.goodbye(lang));
  r.hangup();
  return r.toString();
}
