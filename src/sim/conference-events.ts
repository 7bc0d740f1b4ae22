import type { ConferenceEndReason, SimConference, SimParticipant } from './conference';
import type { WebhookParams } from './signature';
import { rfc2822 } from './sids';
import { sendWebhook, type SimRequest } from './webhook-client';

/** Twilio's conference StatusCallbackEvent values the sim fires. */
export type ConferenceEventName =
  | 'conference-start' | 'conference-end' | 'participant-join' | 'participant-leave'
  | 'participant-mute' | 'participant-unmute' | 'participant-hold' | 'participant-unhold' | 'participant-modify'
  | 'announcement-end';

/** One event of a conference, with the parameters Twilio posts for it. */
export interface ConferenceEvent {
  readonly event: ConferenceEventName;
  readonly params: Readonly<WebhookParams>;
  /** Whether the conference's statusCallbackEvent subscribed to it (and so it was posted). */
  readonly subscribed: boolean;
}

/** A conference status callback request and its response. */
export type ConferenceCallback = SimRequest;

/** The statusCallbackEvent short name that subscribes to each event. */
const SUBSCRIPTION: Record<ConferenceEventName, string> = {
  'conference-start': 'start', 'conference-end': 'end', 'participant-join': 'join', 'participant-leave': 'leave',
  'participant-mute': 'mute', 'participant-unmute': 'mute', 'participant-hold': 'hold', 'participant-unhold': 'hold',
  'participant-modify': 'modify', 'announcement-end': 'announcement',
};

const REASON_TEXT: Record<ConferenceEndReason, string> = {
  'conference-ended-via-api': 'Conference ended via API',
  'participant-with-end-conference-on-exit-left': 'Participant with endConferenceOnExit left the conference',
  'participant-with-end-conference-on-exit-kicked': 'Participant with endConferenceOnExit was kicked from the conference',
  'last-participant-left': 'Last participant left the conference',
  'last-participant-kicked': 'Last participant was kicked from the conference',
};

/**
 * The status callbacks of one conference: parameters as Twilio documents them, SequenceNumber counting every
 * subscribed event, and delivery one at a time in firing order, signed like every sim webhook.
 */
export class ConferenceCallbacks {
  /** Every event fired, subscribed or not. */
  readonly fired: ConferenceEvent[] = [];
  /** The requests made. */
  readonly delivered: ConferenceCallback[] = [];
  /** @internal the tail of this conference's deliveries; {@link TwilioSim.idle} waits for it */
  chain: Promise<void> = Promise.resolve();
  private sequence = 0;

  constructor(private readonly conference: SimConference) {}

  /**
   * @internal records an event and queues its callback when subscribed
   * @param event - the StatusCallbackEvent
   * @param p - the participant it is about (participant-* events)
   * @param reason - why the conference ended (conference-end)
   */
  fire(event: ConferenceEventName, p?: SimParticipant, reason?: ConferenceEndReason): void {
    const conf = this.conference;
    const cb = conf.callback;
    const subscribed = !!cb && cb.events.includes(SUBSCRIPTION[event]);
    const params: WebhookParams = {
      AccountSid: conf.sim.accountSid,
      ConferenceSid: conf.sid,
      FriendlyName: conf.friendlyName,
      StatusCallbackEvent: event,
      Timestamp: rfc2822(conf.sim.now()),
    };
    if (subscribed) params.SequenceNumber = String(++this.sequence);
    if (p && event !== 'conference-end') Object.assign(params, participantParams(p));
    if (event === 'conference-end' && reason) {
      params.ReasonConferenceEnded = reason;
      params.Reason = REASON_TEXT[reason];
      if (p) {
        params.CallSidEndingConference = p.callSid;
        if (p.settings.label) params.ParticipantLabelEndingConference = p.settings.label;
      }
    }
    this.fired.push({ event, params, subscribed });
    if (!subscribed) return;
    const { url, method } = cb;
    this.chain = this.chain.then(async () => {
      this.delivered.push(await sendWebhook(conf.sim.authToken, 'conference-status', url, method, params));
    });
  }
}

/** The participant's flags as they go in participant-* callbacks. */
function participantParams(p: SimParticipant): WebhookParams {
  const s = p.settings;
  const out: WebhookParams = {
    CallSid: p.callSid,
    Muted: String(s.muted),
    Hold: String(s.hold),
    Coaching: String(s.coaching),
    EndConferenceOnExit: String(s.endConferenceOnExit),
    StartConferenceOnEnter: String(s.startConferenceOnEnter),
  };
  if (s.coaching && s.callSidToCoach) out.CallSidToCoach = s.callSidToCoach;
  if (s.label) out.ParticipantLabel = s.label;
  return out;
}
