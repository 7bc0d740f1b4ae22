import type { SimCall } from './call';
import type { Frame, Pending } from './call-types';
import { joinConference } from './conference-verb';
import { ClientIncoming, DialBridge } from './dial';
import type { WebhookParams } from './signature';
import { makeSid } from './sids';
import type { DialNoun, DialVerb } from './twiml';
import { resolveUrl } from './webhook-client';
import { hangupBridgedQueue } from './enqueue';

/**
 * `<Dial>`: numbers answer, are busy or fail by their configured behaviour; a client is offered the call;
 * a queue connects its head caller (or waits); a conference is joined.
 * @param call - the dialing call
 * @param verb - the Dial
 * @param frame - the document it is in
 */
export async function dial(call: SimCall, verb: DialVerb, frame: Frame): Promise<void> {
  const sim = call.sim;
  const childSid = makeSid('CA');
  const numbers = verb.nouns.filter((n): n is Extract<DialNoun, { kind: 'Number' }> => n.kind === 'Number');
  const noun = verb.nouns[0]!;
  if (noun.kind === 'Number') {
    const outcomes = numbers.map((n) => ({ n, b: sim.numberBehaviour(n.number) }));
    const answered = outcomes.find((o) => o.b === 'answer' || o.b === 'human' || o.b === 'machine');
    if (answered) {
      const bridge = new DialBridge(call, verb, frame, childSid, answered.n.number, sim.now());
      call.pending = { kind: 'bridged', bridge };
      return;
    }
    const status = outcomes.some((o) => o.b === 'no-answer') ? 'no-answer' : outcomes.some((o) => o.b === 'busy') ? 'busy' : 'failed';
    if (status === 'no-answer') sim.advance(verb.timeout);
    return finishDialNow(call, verb, frame, { DialCallStatus: status, DialCallSid: childSid });
  }
  if (noun.kind === 'Client') {
    const client = sim.client(noun.identity);
    if (!client) {
      sim.advance(verb.timeout);
      return finishDialNow(call, verb, frame, { DialCallStatus: 'no-answer', DialCallSid: childSid });
    }
    const incoming = new ClientIncoming(call, verb, frame, childSid, noun.identity, noun.params, verb.callerId ?? call.from);
    call.pending = { kind: 'dialing', verb, frame, noun, childSid, incoming };
    sim.offerToClient(client, incoming);
    return;
  }
  if (noun.kind === 'Queue') {
    const queue = sim.queueNamed(noun.name, false);
    if (!queue) return finishDialNow(call, verb, frame, { DialCallStatus: 'failed', DialCallSid: childSid });
    call.pending = { kind: 'dialing', verb, frame, noun, childSid };
    sim.dialQueue(call, queue, noun);
    return;
  }
  await joinConference(call, verb, frame, noun, childSid);
}

/** A Dial that ended at once (busy, failed, unreachable): its action, if any, replaces the document. */
async function finishDialNow(call: SimCall, verb: DialVerb, frame: Frame, params: WebhookParams): Promise<void> {
  if (verb.action) {
    await call.fetchDocument('action', resolveUrl(verb.action, frame.docUrl), verb.method, { ...call.callParams(), ...params });
  }
}

/**
 * Stops a ringing or bridged Dial because the call goes elsewhere (REST redirect); no action request.
 * @param call - the call leaving the Dial
 * @param p - what it was waiting on
 */
export function abandonDial(call: SimCall, p: Extract<Pending, { kind: 'dialing' | 'bridged' }>): void {
  if (p.kind === 'bridged') {
    if (p.bridge.dialer === call) p.bridge.end('dialer');
    else {
      call.queueState = undefined;
      p.bridge.end('peer');
    }
    return;
  }
  if (p.incoming) p.incoming.status = 'canceled';
  call.sim.forgetQueueWaiter(call);
}

/**
 * The caller hangs up during a ringing or bridged Dial: the Dial action (or, for the queued side of a
 * bridge, the Enqueue action) is posted, its TwiML ignored.
 * @param call - the call hanging up
 * @param p - what it was waiting on
 */
export async function hangupDuringDial(call: SimCall, p: Extract<Pending, { kind: 'dialing' | 'bridged' }>): Promise<void> {
  if (p.kind === 'dialing') {
    if (p.incoming) p.incoming.status = 'canceled';
    call.sim.forgetQueueWaiter(call);
    if (p.verb.action) await call.notify('action', resolveUrl(p.verb.action, p.frame.docUrl), p.verb.method, { ...call.callParams(), DialCallStatus: 'canceled', DialCallSid: p.childSid });
    return;
  }
  const b = p.bridge;
  if (b.dialer === call) {
    b.end('dialer');
    if (b.verb.action) await call.notify('action', resolveUrl(b.verb.action, b.frame.docUrl), b.verb.method, { ...call.callParams(), ...b.actionParams() });
    return;
  }
  b.end('peer');
  await hangupBridgedQueue(call);
}
