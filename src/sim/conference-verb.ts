import type { SimCall } from './call';
import type { Frame, Pending } from './call-types';
import { SimParticipant, type SimConference } from './conference';
import { playHoldMusic } from './media-doc';
import type { ConferenceNoun, DialVerb } from './twiml';
import { resolveUrl } from './webhook-client';

type InConference = Extract<Pending, { kind: 'conference' }>;

/**
 * `<Dial><Conference>`: the call joins the named room (created if there is none running) with the noun's
 * attributes, and waits there until it hangs up, is removed, or the conference ends.
 * @param call - the joining call
 * @param verb - the Dial
 * @param frame - the document it is in
 * @param noun - the Conference noun
 * @param childSid - the SID reported as DialCallSid
 */
export async function joinConference(call: SimCall, verb: DialVerb, frame: Frame, noun: ConferenceNoun, childSid: string): Promise<void> {
  const conference = call.sim.conferenceNamed(noun.name, true)!;
  // Twilio refuses a caller when the room is full; the docs do not say how the Dial ends, the sim reports failed.
  if (conference.connected().length >= noun.maxParticipants) {
    if (verb.action) {
      await call.fetchDocument('action', resolveUrl(verb.action, frame.docUrl), verb.method, { ...call.callParams(), DialCallStatus: 'failed', DialCallSid: childSid });
    }
    return;
  }
  const participant = new SimParticipant(call, conference, {
    label: noun.participantLabel,
    muted: noun.muted,
    hold: false,
    holdMethod: 'GET',
    coaching: !!noun.coach,
    callSidToCoach: noun.coach,
    startConferenceOnEnter: noun.startConferenceOnEnter,
    endConferenceOnExit: noun.endConferenceOnExit,
    beep: noun.beep,
    waitUrl: noun.waitUrl === undefined ? undefined : noun.waitUrl && resolveUrl(noun.waitUrl, frame.docUrl),
    waitMethod: noun.waitMethod,
    conferenceCallback: noun.statusCallback
      ? { url: resolveUrl(noun.statusCallback, frame.docUrl), method: noun.statusCallbackMethod, events: noun.statusCallbackEvent }
      : undefined,
  }, 'twiml', { verb, frame, childSid });
  await enterRoom(call, conference, participant);
}

/**
 * Puts an answered call in the room; before the conference starts it hears the waitUrl (or Twilio's music).
 * @param call - the participant's call
 * @param conference - the room
 * @param participant - its participant record
 */
export async function enterRoom(call: SimCall, conference: SimConference, participant: SimParticipant): Promise<void> {
  call.pending = { kind: 'conference', conference, participant };
  const running = conference.join(participant);
  if (!running) {
    const s = participant.settings;
    await playHoldMusic(call, 'conference-wait', s.waitUrl, s.waitUrl ?? call.sim.baseUrl, s.waitMethod, 'conference waitUrl');
  }
}

/** The Dial action parameters of a participant leaving its conference. */
function dialParams(p: SimParticipant): Record<string, string> {
  const secs = Math.max(0, Math.round((p.call.sim.now().getTime() - (p.joinedAt ?? p.dateCreated).getTime()) / 1000));
  return { DialCallStatus: 'completed', DialCallSid: p.dial?.childSid ?? p.callSid, DialCallDuration: String(secs) };
}

/**
 * The caller leaves the conference by hanging up: participant-leave, and the Dial action is posted, its TwiML ignored.
 * @param call - the call hanging up
 * @param p - its conference wait
 */
export async function hangupInConference(call: SimCall, p: InConference): Promise<void> {
  p.conference.remove(p.participant, 'left');
  const d = p.participant.dial;
  if (d?.verb.action) await call.notify('action', resolveUrl(d.verb.action, d.frame.docUrl), d.verb.method, { ...call.callParams(), ...dialParams(p.participant) });
}

/**
 * A participant was removed from its conference (REST delete, or the conference ended): a TwiML-joined call
 * continues after its `<Dial>` (action requested, else the next verb); a REST-created one hangs up.
 * @param p - the removed participant
 */
export function releaseParticipant(p: SimParticipant): void {
  const call = p.call;
  void call.schedule(async () => {
    const pending = call.pending;
    if (call.ended || pending?.kind !== 'conference' || pending.participant !== p) {
      // Still ringing (REST-created): Twilio cancels the call.
      if (!call.ended && p.origin === 'rest') await call.terminate('canceled');
      return;
    }
    if (p.origin === 'rest' || !p.dial) return call.terminate('completed');
    await call.finishDial(p.dial.verb, p.dial.frame, dialParams(p));
  });
}

/**
 * Puts a participant on hold or takes it off: a held call fetches HoldUrl with HoldMethod and hears it
 * (Play, Say, Pause, Redirect only); it neither hears the room nor is heard. Unhold returns it at once.
 * @param p - the participant
 * @param hold - the new Hold flag
 */
export function setHold(p: SimParticipant, hold: boolean): void {
  const s = p.settings;
  if (s.hold === hold) return;
  s.hold = hold;
  p.conference.touch();
  p.conference.fire(hold ? 'participant-hold' : 'participant-unhold', p);
  if (!hold) return;
  const call = p.call;
  void call.schedule(async () => {
    if (call.ended || !s.hold) return;
    await playHoldMusic(call, 'hold', s.holdUrl, s.holdUrl ?? call.sim.baseUrl, s.holdMethod, 'holdUrl');
  });
}

/**
 * Plays an announcement (AnnounceUrl) to one participant's call.
 * @param p - the participant
 * @param url - absolute AnnounceUrl
 * @param method - AnnounceMethod
 */
export function announceTo(p: SimParticipant, url: string, method: 'GET' | 'POST'): void {
  const call = p.call;
  void call.schedule(async () => {
    if (call.ended) return;
    await playHoldMusic(call, 'announce', url, url, method, 'announceUrl');
  });
}
