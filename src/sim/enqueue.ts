import type { SimCall } from './call';
import type { Frame } from './call-types';
import type { WebhookParams } from './signature';
import type { EnqueueVerb, HttpMethod } from './twiml';
import { playMediaDocument } from './media-doc';
import { resolveUrl } from './webhook-client';

/** Verbs Twilio allows in a waitUrl document. */
export const WAIT_VERBS: ReadonlySet<string> = new Set(['Say', 'Play', 'Pause', 'Gather', 'Redirect', 'Leave', 'Hangup']);

/**
 * `<Enqueue>`: joins the queue (or posts QueueResult=queue-full), connects a waiting `<Dial><Queue>`, else holds on the waitUrl.
 * @param call - the caller
 * @param verb - the Enqueue
 * @param frame - the document it is in
 */
export async function enqueue(call: SimCall, verb: EnqueueVerb, frame: Frame): Promise<void> {
  const sim = call.sim;
  const queue = sim.queueNamed(verb.queue, true)!;
  if (queue.currentSize >= queue.maxSize) {
    if (!verb.action) return;
    await call.fetchDocument('action', resolveUrl(verb.action, frame.docUrl), verb.method, { ...call.callParams(), QueueResult: 'queue-full', QueueSid: queue.sid, QueueTime: '0' });
    return;
  }
  queue.add(call.sid, sim.now());
  call.queueState = { verb, frame, queue, enteredAt: sim.now() };
  if (await sim.bridgeWaitingAgent(call, queue)) return;
  if (!(await fetchWaitUrl(call, frame))) return;
}

/**
 * Requests the waitUrl (or plays Twilio's default hold music) into the wait frame.
 * @param call - the queued caller
 * @param fallback - the frame whose URL the default music runs under
 */
export async function fetchWaitUrl(call: SimCall, fallback: Frame): Promise<boolean> {
  const q = call.queueState!;
  if (!q.verb.waitUrl) {
    call.prompt({ verb: 'Play', url: 'twilio:default-hold-music', loop: 1 });
    call.frame = { verbs: [], index: 0, docUrl: fallback.docUrl };
    return true;
  }
  const waited = Math.max(0, Math.round((call.sim.now().getTime() - q.enteredAt.getTime()) / 1000));
  return call.fetchDocument('wait', resolveUrl(q.verb.waitUrl, q.frame.docUrl), q.verb.waitUrlMethod, {
    ...call.callParams(),
    QueuePosition: String(q.queue.positionOf(call.sid)),
    QueueSid: q.queue.sid,
    QueueTime: String(waited),
    AvgQueueTime: String(q.queue.averageWait()),
    CurrentQueueSize: String(q.queue.currentSize),
    MaxQueueSize: String(q.queue.maxSize),
  });
}

/**
 * Leaves the queue and requests the Enqueue action (ignoring its TwiML when `notifyOnly`).
 * @param call - the queued caller
 * @param result - the QueueResult to report
 * @param notifyOnly - the call is going elsewhere (hangup, REST redirect): the response is not executed
 */
export async function leaveQueue(call: SimCall, result: 'leave' | 'redirected' | 'hangup', notifyOnly: boolean): Promise<void> {
  const q = call.queueState;
  if (!q) return;
  call.queueState = undefined;
  const waited = q.queue.remove(call.sid, call.sim.now()) ?? q.removedWait ?? 0;
  if (!q.verb.action) return;
  const url = resolveUrl(q.verb.action, q.frame.docUrl);
  const params = { ...call.callParams(), QueueResult: result, QueueSid: q.queue.sid, QueueTime: String(waited) };
  if (notifyOnly) await call.notify('action', url, q.verb.method, params);
  else await call.fetchDocument('action', url, q.verb.method, params);
}

/**
 * The bridge to this queued caller ended while the caller is still on the line: Enqueue action with QueueResult=bridged.
 * @param call - the queued caller
 */
export async function finishBridgedQueue(call: SimCall): Promise<void> {
  call.pending = undefined;
  if (call.ended || !call.queueState) return;
  const q = call.queueState;
  call.queueState = undefined;
  if (q.verb.action) {
    const params = { ...call.callParams(), QueueResult: 'bridged', QueueSid: q.queue.sid, QueueTime: String(q.waited ?? 0) };
    if (!(await call.fetchDocument('action', resolveUrl(q.verb.action, q.frame.docUrl), q.verb.method, params))) return;
  } else call.frame = q.frame;
  await call.drive();
}

/**
 * Notifies the Enqueue action (QueueResult=bridged) for a bridged queued caller who hangs up.
 * @param call - the queued caller
 */
export async function hangupBridgedQueue(call: SimCall): Promise<void> {
  const q = call.queueState;
  call.queueState = undefined;
  if (q?.verb.action) {
    await call.notify('action', resolveUrl(q.verb.action, q.frame.docUrl), q.verb.method, { ...call.callParams(), QueueResult: 'bridged', QueueSid: q.queue.sid, QueueTime: String(q.waited ?? 0) });
  }
}

/**
 * Plays a `<Queue url>` announcement to a queued caller before the bridge (Say, Play, Pause, Redirect only).
 * @param call - the queued caller
 * @param url - the absolute announcement URL
 * @param method - its method
 * @param params - QueueSid, QueueTime, DequeingCallSid…
 */
export async function announce(call: SimCall, url: string, method: HttpMethod, params: WebhookParams): Promise<void> {
  await playMediaDocument(call, 'queue-url', url, method, params, '<Queue url>');
}
