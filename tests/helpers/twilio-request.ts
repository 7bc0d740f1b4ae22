import twilio from 'twilio';
import request from 'supertest';
import type { TestApp } from './app';
import { TEST_AUTH_TOKEN } from './app';

/**
 * Posts a webhook to the test app signed exactly as Twilio signs it.
 * @param app - the running test app
 * @param path - e.g. /webhooks/voice
 * @param params - form parameters
 */
export function postSigned(app: TestApp, path: string, params: Record<string, string>) {
  const signature = twilio.getExpectedTwilioSignature(TEST_AUTH_TOKEN, app.baseUrl + path, params);
  return request(app.server).post(path).type('form').set('X-Twilio-Signature', signature).send(params);
}

let counter = 0;
/** A fresh CallSid of Twilio's shape. */
export function newCallSid(): string {
  counter += 1;
  return 'CA' + (Date.now().toString(16) + counter.toString(16).padStart(6, '0') + Math.random().toString(16).slice(2)).padEnd(32, '0').slice(0, 32);
}
