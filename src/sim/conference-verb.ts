import type { SimCall } from './call';
import type { Frame, Pending } from './call-types';
import type { DialNoun, DialVerb } from './twiml';
import { resolveUrl } from './webhook-client';

/**
 * `<Dial><Conference>`: the call joins the named room and waits there.
 * @param call - the joining call
 * @param verb - the Dial
 * @param frame - the document it is in
 * @param noun - the Conference noun
 * @param childSid - the SID reported as DialCallSid
 */
export function joinConference(call: SimCall, verb: DialVerb, frame: Frame, noun: Extract<DialNoun, { kind: 'Conference' }>, childSid: string): void {
  call.pending = { kind: 'conference', verb, frame, name: noun.name, childSid, joinedAt: call.sim.now() };
  call.sim.joinConference(noun.name, call);
}

/**
 * The caller leaves the conference by hanging up: the Dial action is posted, its TwiML ignored.
 * @param call - the call hanging up
 * @param p - its conference wait
 */
export async function hangupInConference(call: SimCall, p: Extract<Pending, { kind: 'conference' }>): Promise<void> {
  call.sim.leaveConference(p.name, call);
  if (!p.verb.action) return;
  const secs = Math.round((call.sim.now().getTime() - p.joinedAt.getTime()) / 1000);
  await call.notify('action', resolveUrl(p.verb.action, p.frame.docUrl), p.verb.method, { ...call.callParams(), DialCallStatus: 'completed', DialCallSid: p.childSid, DialCallDuration: String(secs) });
}
