import type { SimConference, SimParticipant } from './conference';
import type { ClientIncoming, DialBridge } from './dial';
import type { SimQueue } from './queues';
import type { DialNoun, DialVerb, EnqueueVerb, GatherVerb, HttpMethod, RecordVerb, Verb } from './twiml';

/** What Twilio's caller hears when the application fails (HTTP error, bad TwiML). */
export const APPLICATION_ERROR_MESSAGE = 'We are sorry, an application error has occurred. Goodbye.';

/** Something a party in a conference (or a bridge) said that this call heard, from {@link SimCall.talk}. */
export interface PartyHeard {
  readonly fromCallSid: string;
  /** The speaker's participant label, if it has one. */
  readonly label?: string;
  readonly text: string;
}

/** Something the caller heard: a `<Say>` text or a `<Play>` URL. */
export interface HeardItem {
  readonly verb: 'Say' | 'Play';
  readonly text: string;
  readonly language?: string;
  readonly voice?: string;
}

/** A problem Twilio would show in its debugger for this call. */
export interface SimError {
  readonly kind: 'http' | 'network' | 'twiml' | 'loop' | 'callback' | 'internal';
  /** Twilio's error code where there is one (11200 HTTP retrieval, 11205 connection, 12100 parse, 12200 schema, 15003 callback). */
  readonly code?: number;
  readonly message: string;
  readonly url?: string;
  readonly status?: number;
}

/** Twilio's call statuses. */
export type CallStatus = 'queued' | 'initiated' | 'ringing' | 'in-progress' | 'completed' | 'busy' | 'no-answer' | 'failed' | 'canceled';

/** What the call is blocked on, waiting for the test (or the other party) to act. */
export type WaitingFor = 'gather' | 'record' | 'hold' | 'dialing' | 'bridged' | 'conference' | 'playing' | 'running' | 'ended';

/** The caller's geography as Twilio reports it (`FromCity`, `ToState`…). Unknown values are sent as empty strings. */
export interface CallGeo {
  fromCity?: string; fromState?: string; fromZip?: string; fromCountry?: string;
  toCity?: string; toState?: string; toZip?: string; toCountry?: string;
}

/** How a {@link SimCall} is set up; built by {@link TwilioSim}. */
export interface SimCallInit {
  readonly from: string;
  readonly to: string;
  readonly direction: 'inbound' | 'outbound-api' | 'outbound-dial';
  readonly geo?: CallGeo;
  readonly parentCallSid?: string;
  readonly statusCallback?: string;
  readonly statusCallbackMethod?: HttpMethod;
  /** Events that get a status callback: initiated, ringing, answered, completed. */
  readonly statusCallbackEvents?: readonly string[];
  /** Synchronous AMD (MachineDetection without AsyncAmd): AnsweredBy goes with the Url request. */
  readonly syncAmd?: boolean;
}

/** @internal a TwiML document being executed, and the index of the next verb */
export type Frame = { verbs: Verb[]; index: number; docUrl: string };

/** @internal what the executor is blocked on */
export type Pending =
  | { kind: 'gather'; verb: GatherVerb; frame: Frame; digits: string }
  | { kind: 'record'; verb: RecordVerb; frame: Frame }
  | { kind: 'hold'; frame: Frame }
  | { kind: 'dialing'; verb: DialVerb; frame: Frame; noun: DialNoun; childSid: string; incoming?: ClientIncoming }
  | { kind: 'bridged'; bridge: DialBridge }
  | { kind: 'conference'; conference: SimConference; participant: SimParticipant }
  | { kind: 'playing'; frame: Frame };

/** @internal a call's place in an `<Enqueue>` queue */
export type QueueState = {
  verb: EnqueueVerb;
  frame: Frame;
  queue: SimQueue;
  enteredAt: Date;
  /** Seconds waited, once the call left the queue for a bridge. */
  waited?: number;
  /** Seconds waited, once a REST dequeue took the call out of the queue. */
  removedWait?: number;
};

/** Usage mistakes in a test (e.g. `press()` when no Gather is waiting). */
export class SimUsageError extends Error {
  override name = 'SimUsageError';
}
