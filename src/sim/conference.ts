/**
 * Conferences and their participants, following Twilio's Conference, Participant and `<Dial><Conference>` docs.
 *
 * Implemented: `CF` sids; status init → in-progress (two participants in, one with startConferenceOnEnter) →
 * completed (last participant left or kicked, an endConferenceOnExit participant left or kicked, REST Status=completed),
 * with reason_conference_ended and call_sid_ending_conference; a completed room is never reused. Participant flags
 * Muted, Hold (HoldUrl/HoldMethod, GET by default), Coaching/CallSidToCoach, StartConferenceOnEnter, EndConferenceOnExit,
 * Label, Beep (a `beep` event on the others' calls). waitUrl before the start and holdUrl/announceUrl documents are
 * played once (Play, Say, Pause, Redirect; anything else is 12200 and ends the call); no URL is Twilio's default music,
 * an empty waitUrl silence. Status callbacks from the first participant that sets one: conference-start, conference-end,
 * participant-join, -leave, -mute, -unmute, -hold, -unhold, -modify, announcement-end, with the documented parameters and
 * a SequenceNumber (from 1) over the delivered ones, posted in order and signed. `<Dial><Conference>` defaults to no
 * events unless statusCallbackEvent lists them; the Participants API defaults ConferenceStatusCallbackEvent to `start end`.
 * Removed TwiML participants continue after their `<Dial>` (action with DialCallStatus=completed, else the next verb);
 * REST-created ones hang up. maxParticipants refuses further callers (the sim's guess at the undocumented result:
 * Dial action with DialCallStatus=failed).
 *
 * Not implemented: conference recording (record, trim, recordingStatusCallback), speaker events, jitterBufferSize,
 * region, eventCallbackUrl, hangupOnStar, waitUrl looping (played once), Participants API AMD/SIP auth/EarlyMedia
 * (accepted, ignored), ReasonParticipantLeft/ParticipantCallStatus on participant-leave, announcement-failed.
 */
import type { SimCall } from './call';
import type { Frame } from './call-types';
import { ConferenceCallbacks, type ConferenceCallback, type ConferenceEvent } from './conference-events';
import { releaseParticipant } from './conference-verb';
import { makeSid } from './sids';
import type { TwilioSim } from './sim';
import type { DialVerb, HttpMethod } from './twiml';

/** Twilio's Conference statuses. */
export type ConferenceStatus = 'init' | 'in-progress' | 'completed';

/** Twilio's `reason_conference_ended` values. */
export type ConferenceEndReason =
  | 'conference-ended-via-api' | 'participant-with-end-conference-on-exit-left' | 'participant-with-end-conference-on-exit-kicked'
  | 'last-participant-kicked' | 'last-participant-left';

/** Twilio's Participant statuses. */
export type ParticipantStatus = 'queued' | 'connecting' | 'ringing' | 'connected' | 'complete' | 'failed';

/** Where the conference status callback goes; taken from the first participant that sets one. */
export interface ConferenceCallbackConfig {
  readonly url: string;
  readonly method: HttpMethod;
  /** Short names: start end join leave mute hold modify speaker announcement */
  readonly events: readonly string[];
}

/** How a participant joins: the `<Conference>` attributes, or the Participants API create parameters. */
export interface ParticipantSettings {
  label?: string;
  muted: boolean;
  hold: boolean;
  holdUrl?: string;
  holdMethod: HttpMethod;
  coaching: boolean;
  callSidToCoach?: string;
  startConferenceOnEnter: boolean;
  endConferenceOnExit: boolean;
  beep: 'true' | 'false' | 'onEnter' | 'onExit';
  /** undefined: Twilio's default hold music; empty string: silence. */
  waitUrl?: string;
  waitMethod: HttpMethod;
  conferenceCallback?: ConferenceCallbackConfig;
}

/** The `<Dial>` a TwiML-joined participant continues after when it leaves the conference. */
export interface ParticipantDial {
  readonly verb: DialVerb;
  readonly frame: Frame;
  readonly childSid: string;
}

/** One participant of a {@link SimConference}: its call, its flags, and how it got there. */
export class SimParticipant {
  status: ParticipantStatus = 'queued';
  readonly dateCreated: Date;
  dateUpdated: Date;
  joinedAt?: Date;

  constructor(
    readonly call: SimCall,
    readonly conference: SimConference,
    /** Mutable flags (Muted, Hold, Coaching…), changed by the Participants API. */
    readonly settings: ParticipantSettings,
    /** `twiml`: joined by `<Dial><Conference>` (continues after the Dial when removed); `rest`: created over REST (hangs up when removed). */
    readonly origin: 'twiml' | 'rest',
    readonly dial?: ParticipantDial,
  ) {
    this.dateCreated = call.sim.now();
    this.dateUpdated = this.dateCreated;
  }

  /** The participant's CallSid. */
  get callSid(): string {
    return this.call.sid;
  }

  /** Joined and not yet gone. */
  get connected(): boolean {
    return this.status === 'connected';
  }
}

/**
 * A Twilio conference room. It is created by its first participant (`init`), starts (`in-progress`) once two
 * participants are in and one of them has startConferenceOnEnter, and completes when the last participant
 * leaves, one with endConferenceOnExit leaves, or the REST API sets Status=completed.
 * A completed conference is never reused: the same friendly name then makes a new conference (new `CF` sid).
 */
export class SimConference {
  /** `CF` + 32 hex. */
  readonly sid = makeSid('CF');
  status: ConferenceStatus = 'init';
  readonly dateCreated: Date;
  dateUpdated: Date;
  reasonConferenceEnded?: ConferenceEndReason;
  callSidEndingConference?: string;
  /** Current participants, connecting ones included, in the order they were added. */
  readonly participants: SimParticipant[] = [];
  /** The status callback, from the first participant that set one. */
  callback?: ConferenceCallbackConfig;
  /** @internal ordered, signed delivery of this conference's status callbacks */
  readonly callbacks: ConferenceCallbacks;
  private ending = false;

  constructor(
    readonly sim: TwilioSim,
    readonly friendlyName: string,
  ) {
    this.dateCreated = sim.now();
    this.dateUpdated = this.dateCreated;
    this.callbacks = new ConferenceCallbacks(this);
  }

  /** Every status callback event fired (delivered or not subscribed), in order. */
  get events(): readonly ConferenceEvent[] {
    return this.callbacks.fired;
  }

  /** The status callback requests made, with their responses. */
  get delivered(): readonly ConferenceCallback[] {
    return this.callbacks.delivered;
  }

  /** Participants now in the room. */
  connected(): SimParticipant[] {
    return this.participants.filter((p) => p.connected);
  }

  /**
   * A participant by CallSid or label.
   * @param callSidOrLabel - the participant's CallSid, or the label it was created with
   */
  find(callSidOrLabel: string): SimParticipant | undefined {
    return this.participants.find((p) => p.callSid === callSidOrLabel) ?? this.participants.find((p) => p.settings.label === callSidOrLabel);
  }

  /** @internal a REST-created participant being dialed (listed as queued/ringing before it joins) */
  add(p: SimParticipant): void {
    if (!this.participants.includes(p)) this.participants.push(p);
  }

  /**
   * @internal the participant's call is in the room: participant-join, and conference-start once two are in
   * and one has startConferenceOnEnter. Returns whether the conference is running (else the call hears the wait music).
   */
  join(p: SimParticipant): boolean {
    this.add(p);
    p.status = 'connected';
    p.joinedAt = this.sim.now();
    p.dateUpdated = p.joinedAt;
    if (!this.callback && p.settings.conferenceCallback) this.callback = p.settings.conferenceCallback;
    this.fire('participant-join', p);
    if (p.settings.beep === 'true' || p.settings.beep === 'onEnter') this.beepOthers(p);
    const inRoom = this.connected();
    if (this.status === 'init' && inRoom.length >= 2 && inRoom.some((x) => x.settings.startConferenceOnEnter)) {
      this.status = 'in-progress';
      this.touch();
      this.fire('conference-start');
    }
    return this.status === 'in-progress';
  }

  /**
   * @internal the participant is gone (hung up, kicked, redirected away, never answered): participant-leave
   * for one that was in; the conference ends if it had endConferenceOnExit or was the last one.
   * @param p - the participant
   * @param how - `left` (its call went away) or `kicked` (REST delete)
   */
  remove(p: SimParticipant, how: 'left' | 'kicked'): void {
    const i = this.participants.indexOf(p);
    if (i < 0) return;
    this.participants.splice(i, 1);
    const wasIn = p.connected;
    p.status = wasIn ? 'complete' : 'failed';
    p.dateUpdated = this.sim.now();
    if (wasIn) {
      this.fire('participant-leave', p);
      if (p.settings.beep === 'true' || p.settings.beep === 'onExit') this.beepOthers(p);
    }
    if (this.ending || this.status === 'completed') return;
    if (wasIn && p.settings.endConferenceOnExit) {
      this.end(how === 'kicked' ? 'participant-with-end-conference-on-exit-kicked' : 'participant-with-end-conference-on-exit-left', p);
    } else if (this.participants.length === 0) {
      this.end(how === 'kicked' ? 'last-participant-kicked' : 'last-participant-left', p);
    }
  }

  /**
   * @internal completes the conference: every other participant is removed (a TwiML-joined call continues after its
   * `<Dial>`, a REST-created one hangs up), then conference-end.
   * @param reason - Twilio's ReasonConferenceEnded
   * @param by - the participant whose leaving ended it
   */
  end(reason: ConferenceEndReason, by?: SimParticipant): void {
    if (this.status === 'completed' || this.ending) return;
    this.ending = true;
    const wasRunning = this.status === 'in-progress';
    this.reasonConferenceEnded = reason;
    this.callSidEndingConference = by?.callSid;
    for (const p of [...this.participants]) {
      this.remove(p, 'kicked');
      releaseParticipant(p);
    }
    this.status = 'completed';
    this.touch();
    // A room that never started has nothing to report as ended.
    if (wasRunning) this.fire('conference-end', by, { reason });
    this.ending = false;
  }

  /** @internal a participant's flags changed */
  touch(): void {
    this.dateUpdated = this.sim.now();
  }

  /**
   * @internal fires a status callback event (delivered when the callback subscribes to it)
   * @param event - Twilio's StatusCallbackEvent value
   * @param p - the participant it is about
   * @param extra - reason (conference-end)
   */
  fire(event: ConferenceEvent['event'], p?: SimParticipant, extra: { reason?: ConferenceEndReason } = {}): void {
    this.callbacks.fire(event, p, extra.reason);
  }

  private beepOthers(p: SimParticipant): void {
    for (const other of this.connected()) if (other !== p && !other.settings.hold) other.call.emit('beep');
  }
}
