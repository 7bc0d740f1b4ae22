import http from 'node:http';
import querystring from 'node:querystring';
import twilio from 'twilio';
import type { SimCall } from '../../src/sim';
import { recordsWritten, TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, type TestApp } from '../helpers/app';
import { postSigned } from '../helpers/twilio-request';
import { startIvr, verifyByKeypad, type Ivr } from '../e2e/ivr-harness';
import { expectValidTwiml } from './fault-helpers';

// Fault: hostile input at the Twilio boundary, beyond what tests/integration/webhook-boundary covers
// (bad signature, missing CallSid, 1 MB body, duplicates). Invalid UTF-8 bytes in the body, signed
// and unsigned: refused with a 4xx, never a 5xx or a stack trace. SQL and markup spoken at the
// gathers of real calls: valid TwiML every time, the markup never comes back unescaped, the
// database untouched.

const SQL = `'; DROP TABLE "Patient"; --`;
const MARKUP = '</Say><Hangup/><script>alert(1)</script>';

interface RawAnswer {
  status: number;
  body: string;
}

/** Posts raw bytes as a form body (supertest would re-encode a Buffer). */
function postRaw(app: TestApp, path: string, body: Buffer, signature?: string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { 'content-type': 'application/x-www-form-urlencoded', 'content-length': body.length };
    if (signature) headers['x-twilio-signature'] = signature;
    const req = http.request(`${app.baseUrl}${path}`, { method: 'POST', headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A form body with the bytes 0xFF 0xFE (never valid UTF-8) inside one parameter's value. */
function withInvalidUtf8(params: Record<string, string>, name: string): Buffer {
  const head = querystring.stringify(params);
  return Buffer.concat([Buffer.from(`${head}&${name}=ab`), Buffer.from([0xff, 0xfe]), Buffer.from('cd')]);
}

/** The signature over the parameters as the server decodes the body (U+FFFD for each bad byte). */
function signatureOver(app: TestApp, path: string, body: Buffer): string {
  const decoded = querystring.parse(new TextDecoder('utf-8').decode(body)) as Record<string, string>;
  return twilio.getExpectedTwilioSignature(TEST_AUTH_TOKEN, app.baseUrl + path, decoded);
}

function expectRefused(a: RawAnswer): void {
  expect(a.status).toBeGreaterThanOrEqual(400);
  expect(a.status).toBeLessThan(500);
  expect(a.body).not.toContain('<Response');
  expect(a.body).not.toMatch(/at .*\.(ts|js)|Error:/);
}

function expectNoInjectedMarkup(call: SimCall): void {
  for (const r of call.requests) {
    expect(r.body ?? '').not.toContain('<script');
    expect(r.body ?? '').not.toContain('<Hangup/><script');
  }
  expect(call.transcript()).not.toContain('alert(1)');
}

/** Speaks the payloads, in turn, at every speech Gather the call reaches (up to `max`). */
async function speakAtGathers(call: SimCall, payloads: string[], max: number): Promise<number> {
  let spoken = 0;
  while (spoken < max && call.waitingFor === 'gather' && call.gather?.input.includes('speech')) {
    await call.speak(payloads[spoken % payloads.length]!);
    spoken++;
  }
  return spoken;
}

describe('hostile input at the boundary', () => {
  let ivr: Ivr;
  beforeAll(async () => {
    ivr = await startIvr();
  });
  afterAll(async () => {
    await ivr.close();
  });

  test('invalid UTF-8 in the body is refused with a 4xx, signed or not, and no stack trace', async () => {
    const call = await ivr.call(ivr.practice.ana.phone);
    const voice = { CallSid: 'CA' + 'e'.repeat(32), AccountSid: TEST_ACCOUNT_SID, To: '+15550100000', CallStatus: 'ringing', Direction: 'inbound' };
    const step = call.requests[0]!;
    const gatherUrl = new URL(call.gather!.action!, step.url);
    const stepPath = gatherUrl.pathname + gatherUrl.search;
    const cases: Array<[string, Buffer]> = [
      ['/webhooks/voice', withInvalidUtf8(voice, 'From')],
      [stepPath, withInvalidUtf8({ ...step.params, Confidence: '0.9' }, 'SpeechResult')],
    ];
    for (const [path, body] of cases) {
      expectRefused(await postRaw(ivr.app, path, body));
      expectRefused(await postRaw(ivr.app, path, body, signatureOver(ivr.app, path, body)));
    }
    // Nothing was started for the bad call, and the real call is still where it was.
    await recordsWritten(ivr.app);
    expect(await ivr.db.callRecord.count({ where: { callSid: voice.CallSid } })).toBe(0);
    expect(call.waitingFor).toBe('gather');
    await call.press('1');
    expect(call.transcript()).toContain('enter your date of birth');
    await call.hangup();
    expectValidTwiml(call);
  });

  test('SQL and markup spoken at every gather: valid TwiML, never echoed unescaped, the Patient table intact', async () => {
    const patients = await ivr.db.patient.count();
    // An unverified caller: language menu, date of birth, the verification factor menus.
    const stranger = await ivr.call('+19175550123');
    const spokenUnverified = await speakAtGathers(stranger, [SQL, MARKUP], 8);
    // A verified caller: the main menu and what follows it.
    const { ana } = ivr.practice;
    const verified = await ivr.call(ana.phone);
    await verifyByKeypad(verified, '1', ana.dob);
    const spokenVerified = await speakAtGathers(verified, [MARKUP, SQL], 6);
    expect(spokenUnverified).toBeGreaterThanOrEqual(3);
    expect(spokenVerified).toBeGreaterThanOrEqual(2);

    // The same strings as keys, signed as Twilio would send them, at the call's current step.
    if (!verified.ended && verified.gather?.action) {
      const u = new URL(verified.gather.action, verified.lastRequest()!.url);
      for (const payload of [SQL, MARKUP]) {
        const res = await postSigned(ivr.app, u.pathname + u.search, { ...verified.lastRequest()!.params, Digits: payload.slice(0, 64) });
        expect(res.status).toBe(200);
        expect(res.text).not.toContain('<script');
      }
    }

    for (const call of [stranger, verified]) {
      expectValidTwiml(call);
      expectNoInjectedMarkup(call);
      if (!call.ended) await call.hangup();
    }
    expect(await ivr.db.patient.count()).toBe(patients);
    expect(await ivr.db.patient.findFirst({ where: { id: ana.id } })).not.toBeNull();
    // What was said is kept as text (masked or not), never run.
    await recordsWritten(ivr.app);
    const events = await ivr.db.callEvent.findMany({ where: { callSid: { in: [stranger.sid, verified.sid] } } });
    expect(events.length).toBeGreaterThan(0);
  });
});
