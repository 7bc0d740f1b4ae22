import twilio from 'twilio';

/** The parameters of a webhook request, as Twilio sends them (flat strings). */
export type WebhookParams = Record<string, string>;

/**
 * Computes the `X-Twilio-Signature` for a request, exactly as Twilio does.
 * For a POST the URL is the absolute URL posted to (query string included) and `params` the form body;
 * for a GET the params are already in the URL and `params` is empty.
 * @param authToken - the account's auth token
 * @param url - the absolute URL requested
 * @param params - the form-encoded body parameters (POST) or `{}` (GET)
 */
export function signRequest(authToken: string, url: string, params: WebhookParams): string {
  return twilio.getExpectedTwilioSignature(authToken, url, params);
}

/**
 * Encodes params as an `application/x-www-form-urlencoded` body.
 * @param params - the parameters to encode
 */
export function formBody(params: WebhookParams): string {
  return new URLSearchParams(params).toString();
}

/**
 * Appends params to a URL's query string (what Twilio does for `method="GET"` callbacks).
 * @param url - the absolute URL
 * @param params - the parameters to append
 */
export function withQuery(url: string, params: WebhookParams): string {
  const u = new URL(url);
  for (const [k, v] of Object.entries(params)) u.searchParams.append(k, v);
  return u.toString();
}
