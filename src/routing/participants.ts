import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { Context } from '../context';
import { publishAgentEvent } from '../agents/live';
import { onCallNumber } from '../calendar/on-call';
import { appendCallEvent } from '../records/call-events';
import { absoluteUrl } from '../telephony/twiml';
import { routingConfig } from './config';
import { CONFERENCE_EVENTS, conferenceEventsUrl, rememberConferenceSid, removeParticipant } from './conference';
import { dropParty, getConversation, listParties, nextPartyNumber, putParty, type Party } from './conversation';
import { ownConversation } from './live-call';
import type { RoutingTask } from './task-store';

// Outside parties in a three-way call: a number, an interpreter line (from the routing config, with
// the access code some services need keyed after answer), the on-call clinician or a department.
// Labels and events carry the role and a masked number, never the number in full.

/** Who to add: a number, an interpreter for a language, the on-call clinician of a role, or a department. */
export type PartyRequest = { number: string } | { interpreter: string } | { onCall: 'nurse' | 'pharmacist' } | { department: string };

/** A bad request to add a party (400 at the API, with this reason). */
export class PartyRejected extends Error {}

/** What the API shows of a party: the id to remove it by is its label. */
export interface PartyView {
  participantId: string;
  role: Party['role'];
  detail?: string;
  agentId?: string;
  joined: boolean;
  hold: boolean;
  muted: boolean;
}

function e164(number: string): string {
  const p = parsePhoneNumberFromString(number);
  if (!p?.isValid()) throw new PartyRejected('not a valid phone number (E.164, e.g. +12125550123)');
  return p.number;
}

async function resolve(ctx: Context, r: PartyRequest): Promise<{ number: string; role: 'party' | 'interpreter'; detail: string; accessCode?: string }> {
  if ('interpreter' in r) {
    const line = routingConfig(ctx).interpreters[r.interpreter];
    if (!line) throw new PartyRejected(`no interpreter line for "${r.interpreter}"`);
    return { number: e164(line.number), role: 'interpreter', detail: r.interpreter, accessCode: line.accessCode };
  }
  if ('onCall' in r) {
    const number = await onCallNumber(ctx, r.onCall);
    if (!number) throw new PartyRejected(`nobody is on call as ${r.onCall} now`);
    return { number: e164(number), role: 'party', detail: `on-call ${r.onCall}` };
  }
  if ('department' in r) {
    const d = await ctx.db.department.findUnique({ where: { id: r.department }, select: { phone: true, name: true } });
    if (!d?.phone) throw new PartyRejected('no such department, or it has no phone number');
    return { number: e164(d.phone), role: 'party', detail: d.name };
  }
  const number = e164(r.number);
  return { number, role: 'party', detail: `…${number.slice(-4)}` };
}

/**
 * Adds an outside party to the agent's conversation. Lines with an access code are dialed with
 * `calls.create` SendDigits (the Participants API has none) and join the conference from their
 * TwiML; others are added as Participants.
 * @returns the new party's participantId (its label)
 */
export async function addParty(ctx: Context, task: RoutingTask, agentId: string, r: PartyRequest): Promise<PartyView> {
  const conv = await ownConversation(ctx, task, agentId);
  const line = await resolve(ctx, r);
  const label = `${line.role}-${await nextPartyNumber(ctx, conv.name)}`;
  const q = `conf=${encodeURIComponent(conv.name)}&task=${encodeURIComponent(task.id)}&agent=${encodeURIComponent(agentId)}&role=party&label=${label}`;
  const statusCallback = absoluteUrl(ctx.config, `/webhooks/conference/participant?${q}`);
  let callSid: string;
  if (line.accessCode) {
    const call = await ctx.twilio.calls.create({
      to: line.number,
      from: ctx.config.CARELINE_PHONE_NUMBER,
      sendDigits: line.accessCode,
      url: absoluteUrl(ctx.config, `/webhooks/conference/join?${q}`),
      method: 'POST',
      statusCallback,
      statusCallbackMethod: 'POST',
      statusCallbackEvent: ['ringing', 'answered', 'completed'],
      timeout: 30,
    });
    callSid = call.sid;
  } else {
    const p = await ctx.twilio.conferences(conv.name).participants.create({
      from: ctx.config.CARELINE_PHONE_NUMBER,
      to: line.number,
      label,
      startConferenceOnEnter: true,
      endConferenceOnExit: false,
      beep: 'false',
      timeout: 30,
      statusCallback,
      statusCallbackMethod: 'POST',
      statusCallbackEvent: ['ringing', 'answered', 'completed'],
      conferenceStatusCallback: conferenceEventsUrl(ctx, conv.name),
      conferenceStatusCallbackMethod: 'POST',
      conferenceStatusCallbackEvent: [...CONFERENCE_EVENTS],
    });
    callSid = p.callSid;
    await rememberConferenceSid(ctx, conv.name, p.conferenceSid);
  }
  const party = await putParty(ctx, conv.name, { callSid, role: line.role, label, detail: line.detail });
  await appendCallEvent(ctx, conv.callerSid, { key: `party-add:${label}`, type: 'agent', name: 'participant_added', detail: { agentId, role: line.role, participantId: label } });
  return view(party);
}

function view(p: Party): PartyView {
  return { participantId: p.label, role: p.role, detail: p.detail, agentId: p.agentId, joined: p.joined, hold: p.hold, muted: p.muted };
}

/** Everyone careline knows on the agent's conversation (from Twilio's conference events). */
export async function partiesOf(ctx: Context, task: RoutingTask, agentId: string): Promise<PartyView[]> {
  const conv = await ownConversation(ctx, task, agentId);
  return (await listParties(ctx, conv.name)).map(view);
}

/** Removes an outside party from the agent's conversation; false when there is no such party. */
export async function removeParty(ctx: Context, task: RoutingTask, agentId: string, participantId: string): Promise<boolean> {
  const conv = await ownConversation(ctx, task, agentId);
  const party = (await listParties(ctx, conv.name)).find((p) => p.label === participantId && (p.role === 'party' || p.role === 'interpreter'));
  if (!party) return false;
  if (party.joined) await removeParticipant(ctx, conv, party.callSid);
  else await ctx.twilio.calls(party.callSid).update({ status: 'canceled' }).catch(() => undefined);
  await appendCallEvent(ctx, conv.callerSid, { key: `party-remove:${party.label}`, type: 'agent', name: 'participant_removed', detail: { agentId, role: party.role, participantId: party.label } });
  return true;
}

/** An outside party's line did not answer (or failed): forget it and tell the agent. */
export async function partyUnanswered(ctx: Context, name: string, callSid: string, status: string): Promise<void> {
  const party = await dropParty(ctx, name, callSid);
  const conv = await getConversation(ctx, name);
  if (party && conv?.agentId) await publishAgentEvent(ctx, conv.agentId, { type: 'participant-failed', taskId: conv.taskId, participantId: party.label, reason: status });
}
