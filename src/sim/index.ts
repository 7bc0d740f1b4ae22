/**
 * The local Twilio. `TwilioSim` places calls to the application's webhooks and executes the TwiML it
 * answers with Twilio's semantics (`SimCall` is driven by the test: press, speak, silence, record,
 * hangup, waitLoop); `sim.listen()` serves a fake 2010-04-01 REST API (Calls, Queues, Members, Recordings,
 * Conferences, Participants). Conference participants talk as text: `call.talk(text)`, heard in `call.partyHeard`.
 * Examples: tests/unit/sim/*.test.ts. Interactive: `npm run call -- --from +15551234567`.
 */
export { TwilioSim, type TwilioSimOptions, type NumberBehaviour, type AnsweredBy, type ClientRegistration, type CreatedCall, type HeldCallback, type SimRecording } from './sim';
export { SimCall, SimUsageError, APPLICATION_ERROR_MESSAGE, type HeardItem, type PartyHeard, type SimError, type CallStatus, type WaitingFor, type CallGeo } from './call';
export { ClientIncoming, DialBridge } from './dial';
export { SimConference, SimParticipant, type ConferenceStatus, type ConferenceEndReason, type ParticipantStatus, type ParticipantSettings } from './conference';
export type { ConferenceEvent, ConferenceEventName } from './conference-events';
export { ParticipantIncoming } from './participants';
export { hears } from './audio';
export { SimQueue } from './queues';
export { parseTwiml, TwimlError, type Verb } from './twiml';
export { signRequest } from './signature';
export type { SimRequest, RequestKind } from './webhook-client';
