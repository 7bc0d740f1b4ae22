import type { SimCall } from './call';
import type { Frame } from './call-types';
import type { WebhookParams } from './signature';
import type { HttpMethod } from './twiml';
import { resolveUrl, type RequestKind } from './webhook-client';

/**
 * Fetches and plays a document where Twilio allows only `<Play>`, `<Say>`, `<Pause>` and `<Redirect>`
 * (a `<Queue url>`, a conference waitUrl, holdUrl or announceUrl); any other verb is Twilio error 12200,
 * which ends the call. The call's own document position is kept.
 * @param call - the call hearing it
 * @param kind - why the request is made
 * @param url - the absolute URL
 * @param method - its method
 * @param params - the parameters (the call's own are added)
 * @param where - how the error names the document, e.g. `<Queue url>`
 * @returns false when the call ended (fetch failure or disallowed verb)
 */
export async function playMediaDocument(call: SimCall, kind: RequestKind, url: string, method: HttpMethod, params: WebhookParams, where: string): Promise<boolean> {
  const saved = call.frame;
  call.fetchCounts.clear();
  if (!(await call.fetchDocument(kind, url, method, { ...call.callParams(), ...params }))) return false;
  for (let guard = 0; guard < 20 && call.frame; guard++) {
    const frame: Frame = call.frame;
    let redirected = false;
    for (const verb of frame.verbs) {
      if (verb.verb === 'Say' || verb.verb === 'Play' || verb.verb === 'Pause') call.prompt(verb);
      else if (verb.verb === 'Redirect') {
        // A document that redirects to itself plays on until the call leaves it (hold music until
        // unhold); the sim has no audio time, so one pass is the whole loop, not a redirect loop.
        if (resolveUrl(verb.url, frame.docUrl) === frame.docUrl) break;
        if (!(await call.fetchDocument('redirect', resolveUrl(verb.url, frame.docUrl), verb.method, call.callParams()))) return false;
        redirected = true;
        break;
      } else {
        await call.applicationError({ kind: 'twiml', code: 12200, message: `<${verb.verb}> is not allowed in a ${where} document`, url: frame.docUrl });
        return false;
      }
    }
    if (!redirected) break;
  }
  call.frame = saved;
  return true;
}

/**
 * Plays Twilio's default hold music, or a media document, or nothing (an empty URL).
 * @param call - the call hearing it
 * @param kind - why the request is made
 * @param url - undefined for the default music, '' for silence, else the URL (relative to `base`)
 * @param base - the URL relative URLs resolve against
 * @param method - its method
 * @param where - how an error names the document
 */
export async function playHoldMusic(call: SimCall, kind: RequestKind, url: string | undefined, base: string, method: HttpMethod, where: string): Promise<boolean> {
  if (url === undefined) {
    call.prompt({ verb: 'Play', url: 'twilio:default-hold-music', loop: 1 });
    return true;
  }
  if (url === '') return true;
  return playMediaDocument(call, kind, resolveUrl(url, base), method, {}, where);
}
