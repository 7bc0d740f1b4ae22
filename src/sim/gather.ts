import type { SimCall } from './call';
import type { Pending } from './call-types';
import type { WebhookParams } from './signature';
import { resolveUrl } from './webhook-client';

type GatherPending = Extract<Pending, { kind: 'gather' }>;

/**
 * Ends a `<Gather>` with what the caller gave: posts the action (or, with nothing and no
 * actionOnEmptyResult, continues after the Gather) and runs on.
 * @param call - the gathering call
 * @param p - the pending Gather
 * @param input - Digits, or SpeechResult and Confidence; empty for a timeout with nothing typed
 */
export async function submitGather(call: SimCall, p: GatherPending, input: WebhookParams): Promise<void> {
  call.pending = undefined;
  const empty = Object.keys(input).length === 0;
  if (empty && !p.verb.actionOnEmptyResult) {
    call.frame = p.frame;
    return call.drive();
  }
  // No action: Twilio requests the current document's URL.
  const url = p.verb.action ? resolveUrl(p.verb.action, p.frame.docUrl) : p.frame.docUrl;
  if (!(await call.fetchDocument('action', url, p.verb.method, { ...call.callParams(), ...input }))) return;
  await call.drive();
}
