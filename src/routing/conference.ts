import type { Context } from '../context';
import { agentIdentity } from '../agents/voice-token';
import { absoluteUrl, VoiceResponse } from '../telephony/twiml';
import { routingConfig } from './config';
import { conferenceName, dropParty, getConversation, listParties, openConversation, putParty, setConversation, type Conversation, type PartyRole } from './conversation';
import { queueLanguage, queuePrompts, VOICES } from './prompts';
import { setTaskFields, type RoutingTask } from './task-store';

// Every agent conversation is a Twilio Conference named by careline after the task that started
// it. The caller joins with <Dial><Conference> (after leaving the Twilio queue); agents, outside
// parties and supervisors join through the Participants REST API. The conference's status
// callback (start end join leave hold mute) and each participant's call status callback tell
// careline who is on the line (src/routing/conference-events.ts).

/** Events the conference reports to careline (Twilio's statusCallbackEvent names). */
export const CONFERENCE_EVENTS = ['start', 'end', 'join', 'leave', 'hold', 'mute'] as const;

/** The caller's number when it can be shown as caller ID, else careline's own. */
function callerIdOf(ctx: Context, task: RoutingTask): string {
  return task.pop.from && /^\+[1-9]\d{6,14}$/.test(task.pop.from) ? task.pop.from : ctx.config.CARELINE_PHONE_NUMBER;
}

/** The URL of the conference status callback of a conversation. */
export function conferenceEventsUrl(ctx: Context, name: string): string {
  return absoluteUrl(ctx.config, `/webhooks/conference/events?conf=${encodeURIComponent(name)}`);
}

/**
 * TwiML that takes the caller into the conversation's conference. The caller does not start it
 * (they hear the wait music until the agent's leg joins) and ends it on leaving: a caller who hangs
 * up ends the conversation for everyone. The Dial action runs once the caller is out of it.
 * @param greeting - what the caller hears first (e.g. "connecting you now")
 */
export function callerJoinTwiml(ctx: Context, task: RoutingTask, attempt: number, greeting: string | null): string {
  const name = task.conference ?? conferenceName(task.id);
  const lang = queueLanguage(task.language);
  const r = new VoiceResponse();
  if (greeting) r.say(VOICES[lang], greeting);
  const q = `task=${encodeURIComponent(task.id)}&a=${attempt}`;
  const dial = r.dial({ action: absoluteUrl(ctx.config, `/webhooks/conference/left?${q}`), method: 'POST' });
  dial.conference(
    {
      startConferenceOnEnter: false,
      endConferenceOnExit: true,
      beep: 'false',
      waitUrl: absoluteUrl(ctx.config, `/webhooks/conference/wait?${q}`),
      waitMethod: 'POST',
      statusCallback: conferenceEventsUrl(ctx, name),
      statusCallbackMethod: 'POST',
      statusCallbackEvent: [...CONFERENCE_EVENTS],
      participantLabel: 'caller',
    },
    name,
  );
  return r.toString();
}

/** The music a caller hears in the conference before the agent's leg joins (a conference waitUrl document). */
export function conferenceWaitTwiml(ctx: Context): string {
  const r = new VoiceResponse();
  r.play({}, routingConfig(ctx).holdMusicUrl);
  return r.toString();
}

/**
 * Opens the conversation of a reserved caller and rings the agent's browser phone into it. The
 * agent's leg starts the conference on entering; the call ringing out or being declined is told by
 * the leg's status callback.
 */
export async function ringAgentIntoConference(ctx: Context, task: RoutingTask, agentId: string, attempt: number): Promise<void> {
  if (!task.callSid) return;
  const name = task.conference ?? conferenceName(task.id);
  if (!task.conference) await setTaskFields(ctx, task.id, { conference: name });
  await openConversation(ctx, { name, taskId: task.id, callerSid: task.callSid, agentId, language: task.language, queue: task.queue });
  await putParty(ctx, name, { callSid: task.callSid, role: 'caller', label: 'caller' });
  await addStaffLeg(ctx, { ...task, conference: name }, agentId, 'agent', attempt);
}

/**
 * Rings a staff member's browser phone (`client:agent_<id>`) into a task's conference.
 * @param role - agent (the one taking the call), consult (warm-transfer target) or supervisor
 * @returns the new leg's CallSid
 */
export async function addStaffLeg(
  ctx: Context,
  task: RoutingTask,
  agentId: string,
  role: Extract<PartyRole, 'agent' | 'consult' | 'supervisor'>,
  attempt: number,
  extra: { muted?: boolean; coaching?: boolean; callSidToCoach?: string } = {},
): Promise<string> {
  const name = task.conference ?? conferenceName(task.id);
  const label = role === 'agent' ? 'agent' : `${role}-${agentId}`;
  const q = `conf=${encodeURIComponent(name)}&task=${encodeURIComponent(task.id)}&agent=${encodeURIComponent(agentId)}&role=${role}&a=${attempt}`;
  const p = await ctx.twilio.conferences(name).participants.create({
    from: callerIdOf(ctx, task),
    to: `client:${agentIdentity(agentId)}`,
    label,
    startConferenceOnEnter: true,
    endConferenceOnExit: false,
    beep: 'false',
    timeout: routingConfig(ctx).ringTimeoutSec,
    statusCallback: absoluteUrl(ctx.config, `/webhooks/conference/participant?${q}`),
    statusCallbackMethod: 'POST',
    statusCallbackEvent: ['ringing', 'answered', 'completed'],
    conferenceStatusCallback: conferenceEventsUrl(ctx, name),
    conferenceStatusCallbackMethod: 'POST',
    conferenceStatusCallbackEvent: [...CONFERENCE_EVENTS],
    ...(extra.muted !== undefined ? { muted: extra.muted } : {}),
    ...(extra.coaching ? { coaching: true, callSidToCoach: extra.callSidToCoach } : {}),
  });
  await putParty(ctx, name, { callSid: p.callSid, role, label, agentId });
  await rememberConferenceSid(ctx, name, p.conferenceSid);
  return p.callSid;
}

/** Keeps the CF sid Twilio gave the conference: every call on a participant but create needs it. */
export async function rememberConferenceSid(ctx: Context, name: string, sid: string | undefined): Promise<void> {
  if (sid && !(await getConversation(ctx, name))?.conferenceSid) await setConversation(ctx, name, { conferenceSid: sid });
}

/**
 * The REST handle of one participant of a conversation's conference (by CallSid or label). Twilio
 * addresses an existing conference's participants by its CF sid only (create alone takes the
 * name), so the sid is looked up when careline has not heard it yet.
 */
export async function participantOf(ctx: Context, conv: Pick<Conversation, 'name' | 'conferenceSid'>, callSidOrLabel: string) {
  let sid = conv.conferenceSid ?? (await getConversation(ctx, conv.name))?.conferenceSid;
  if (!sid) {
    const [live] = await ctx.twilio.conferences.list({ friendlyName: conv.name, status: 'in-progress', limit: 1 });
    const [any] = live ? [live] : await ctx.twilio.conferences.list({ friendlyName: conv.name, limit: 1 });
    if (!any) throw Object.assign(new Error('conference not found at Twilio'), { status: 404 });
    sid = any.sid;
    await setConversation(ctx, conv.name, { conferenceSid: sid });
  }
  return ctx.twilio.conferences(sid).participants(callSidOrLabel);
}

/**
 * Takes a leg out of the conference (Participant DELETE). A leg already gone is fine: what careline
 * wanted has happened.
 */
export async function removeParticipant(ctx: Context, conv: Pick<Conversation, 'name' | 'conferenceSid'>, callSid: string): Promise<void> {
  await participantOf(ctx, conv, callSid)
    .then((p) => p.remove())
    .catch((err: unknown) => ctx.log.warn('could not remove a participant', { conference: conv.name, callSid, err }));
}

/** Stops the legs careline rang into a conference that have not joined yet (of one role, or all but the caller). */
export async function cancelRingingLegs(ctx: Context, name: string, role?: PartyRole): Promise<void> {
  for (const p of await listParties(ctx, name)) {
    if (p.joined || p.role === 'caller' || (role && p.role !== role)) continue;
    await ctx.twilio.calls(p.callSid).update({ status: 'canceled' }).catch((err: unknown) => ctx.log.warn('could not cancel a ringing leg', { callSid: p.callSid, err }));
    await dropParty(ctx, name, p.callSid);
  }
}

/** What a caller hears while on hold: music, then "thank you for holding" in their language, again and again. */
export function holdTwiml(ctx: Context, language: string, holdUrl: string): string {
  const lang = queueLanguage(language);
  const r = new VoiceResponse();
  r.play({}, routingConfig(ctx).holdMusicUrl);
  r.say(VOICES[lang], queuePrompts.thanksForHolding(lang));
  r.redirect({ method: 'POST' }, holdUrl);
  return r.toString();
}

/**
 * A patient answered careline's callback: they hear the greeting and join a conference, and the
 * agent who accepted the callback is rung into it.
 * @returns the TwiML for the patient's call
 */
export async function connectCallback(ctx: Context, task: RoutingTask, agentId: string, attempt: number, greeting: string): Promise<string> {
  await ringAgentIntoConference(ctx, task, agentId, attempt);
  return callerJoinTwiml(ctx, task, attempt, greeting);
}

/** TwiML that takes an outside line careline dialed (after its access code) into a conversation's conference. */
export function partyJoinTwiml(ctx: Context, name: string, label: string): string {
  const r = new VoiceResponse();
  r.dial().conference(
    {
      startConferenceOnEnter: true,
      endConferenceOnExit: false,
      beep: 'false',
      statusCallback: conferenceEventsUrl(ctx, name),
      statusCallbackMethod: 'POST',
      statusCallbackEvent: [...CONFERENCE_EVENTS],
      participantLabel: label,
    },
    name,
  );
  return r.toString();
}
