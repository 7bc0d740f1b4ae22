import type { Response } from 'express';
import type { HttpMethod } from './twiml';

const PHONE = /^\+[1-9]\d{6,14}$/;

/** Twilio's REST error body. */
interface TwilioErrorBody { code: number; message: string; more_info: string; status: number }

/**
 * Answers Twilio's REST error body.
 * @param res - the response
 * @param status - HTTP status
 * @param code - Twilio error code
 * @param message - error text
 */
export function sendError(res: Response, status: number, code: number, message: string): void {
  const body: TwilioErrorBody = { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status };
  res.status(status).json(body);
}

/** A form value as a non-empty string (the last one when repeated). @param v - the raw value */
export function str(v: unknown): string | undefined {
  if (Array.isArray(v)) return str(v[v.length - 1]);
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** A repeated or space/comma separated form value as a list. @param v - the raw value */
export function list(v: unknown): string[] {
  if (Array.isArray(v)) return v.flatMap((x) => (typeof x === 'string' ? x.split(/[\s,]+/) : [])).filter(Boolean);
  return typeof v === 'string' ? v.split(/[\s,]+/).filter(Boolean) : [];
}

/** A GET/POST form value; anything else is POST, Twilio's default. @param v - the raw value */
export function httpMethod(v: unknown): HttpMethod {
  return str(v)?.toUpperCase() === 'GET' ? 'GET' : 'POST';
}

/** Whether `v` is an absolute http(s) URL. @param v - the value */
export function isUrl(v: string): boolean {
  try {
    return /^https?:$/.test(new URL(v).protocol);
  } catch {
    return false;
  }
}

/** Whether `v` is an E.164 number, `client:` identity or `sip:` address. @param v - the value */
export function isAddress(v: string): boolean {
  return PHONE.test(v) || /^client:[\w.@-]+$/.test(v) || /^sip:\S+@\S+$/.test(v);
}

/**
 * Twilio's list page envelope (one page holds everything).
 * @param key - the list's key, e.g. `calls`
 * @param uri - the list URI
 * @param items - the resources
 */
export function page(key: string, uri: string, items: unknown[]): Record<string, unknown> {
  return {
    [key]: items,
    first_page_uri: `${uri}?PageSize=50&Page=0`,
    next_page_uri: null,
    previous_page_uri: null,
    page: 0,
    page_size: 50,
    start: 0,
    end: Math.max(0, items.length - 1),
    uri: `${uri}?PageSize=50&Page=0`,
  };
}
