import type { HttpMethod } from './twiml';
import { formBody, signRequest, withQuery, type WebhookParams } from './signature';

/** Why the sim made a request; lets tests pick out e.g. the Gather action. */
export type RequestKind =
  | 'voice' | 'action' | 'redirect' | 'wait' | 'dequeue' | 'queue-url' | 'url'
  | 'status' | 'amd' | 'recording-status' | 'transcription'
  | 'conference-status' | 'conference-wait' | 'hold' | 'announce';

/** One HTTP request the sim made to the application, and what came back. */
export interface SimRequest {
  readonly kind: RequestKind;
  readonly method: HttpMethod;
  /** The URL requested (for GET, with the params in its query string). */
  readonly url: string;
  readonly params: Readonly<WebhookParams>;
  readonly signature: string;
  /** HTTP status, or undefined when the connection failed. */
  status?: number;
  body?: string;
  contentType?: string;
  /** Connection error text, when there was no response. */
  failure?: string;
}

/** Twilio's per-request timeout for webhooks. */
const TIMEOUT_MS = 15_000;

/**
 * Makes a signed webhook request the way Twilio does: POST with a form body, or GET with the params
 * in the query string; `X-Twilio-Signature` over the absolute URL (and body params for POST).
 * Never throws for HTTP or network failures: they are reported on the returned record.
 * @param authToken - the token to sign with
 * @param kind - why the request is made
 * @param url - absolute URL
 * @param method - GET or POST
 * @param params - the Twilio parameters
 */
export async function sendWebhook(authToken: string, kind: RequestKind, url: string, method: HttpMethod, params: WebhookParams): Promise<SimRequest> {
  const target = method === 'GET' ? withQuery(url, params) : url;
  const signature = signRequest(authToken, target, method === 'GET' ? {} : params);
  const record: SimRequest = { kind, method, url: target, params: { ...params }, signature };
  const headers: Record<string, string> = {
    'X-Twilio-Signature': signature,
    'User-Agent': 'TwilioProxy/1.1',
    Accept: 'text/xml, application/xml, */*',
    'I-Twilio-Idempotency-Token': crypto.randomUUID(),
  };
  if (method === 'POST') headers['Content-Type'] = 'application/x-www-form-urlencoded';
  try {
    const res = await fetch(target, {
      method,
      headers,
      body: method === 'POST' ? formBody(params) : undefined,
      redirect: 'follow',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    record.status = res.status;
    record.contentType = res.headers.get('content-type') ?? undefined;
    record.body = await res.text();
  } catch (err) {
    record.failure = err instanceof Error ? err.message : String(err);
  }
  return record;
}

/**
 * Resolves a URL from TwiML against the document it appeared in, as Twilio does for relative URLs.
 * @param url - absolute or relative URL
 * @param base - the URL of the current document
 */
export function resolveUrl(url: string, base: string): string {
  return new URL(url, base).toString();
}
