/** The local Twilio: see README in this folder's TSDoc and tests/unit/sim*. */
export { TwilioSim, type TwilioSimOptions, type NumberBehaviour, type AnsweredBy, type ClientRegistration, type CreatedCall, type HeldCallback } from './sim';
export { SimCall, SimUsageError, APPLICATION_ERROR_MESSAGE, type HeardItem, type SimError, type CallStatus, type WaitingFor, type CallGeo } from './call';
export { ClientIncoming, DialBridge } from './dial';
export { SimQueue } from './queues';
export { parseTwiml, TwimlError, type Verb } from './twiml';
export { signRequest } from './signature';
export type { SimRequest, RequestKind } from './webhook-client';
