import twilio from 'twilio';
import RequestClient from 'twilio/lib/base/RequestClient';
import { TwilioSim } from '../../../src/sim';
import { ACCOUNT_SID, AUTH_TOKEN, TwimlServer, twiml } from './twiml-server';

const FROM = '+15550100000';
let app: TwimlServer;
let sim: TwilioSim;
let api: string;

const basic = (user: string, pass: string) => 'Basic ' + Buffer.from(`${user}:${pass}`).toString('base64');

async function rest(method: string, path: string, form?: URLSearchParams | Record<string, string>, auth = basic(ACCOUNT_SID, AUTH_TOKEN)) {
  const res = await fetch(`${api}/2010-04-01/Accounts/${ACCOUNT_SID}${path}`, {
    method,
    headers: { Authorization: auth, ...(form ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}) },
    body: form ? new URLSearchParams(form).toString() : undefined,
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

/** A twilio-node request client that sends every request to the sim instead of Twilio. */
class SimRequestClient extends RequestClient {
  constructor(private readonly target: string, private readonly realOrigin: string) {
    super();
  }
  override request<T>(opts: RequestClient.RequestOptions<T>) {
    return super.request({ ...opts, uri: opts.uri.replace(this.realOrigin, this.target) });
  }
}

beforeEach(async () => {
  app = new TwimlServer();
  const baseUrl = await app.start();
  sim = new TwilioSim({ baseUrl, accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, apiKeys: { ['SK' + 'b'.repeat(32)]: 'key-secret' } });
  api = await sim.listen(0);
  app.route('/status', () => ({ status: 204 })).route('/amd', () => ({ status: 204 }));
});

afterEach(async () => {
  await sim.close();
  await app.stop();
});

describe('fake REST API: Calls', () => {
  it('creates an outbound call that fetches Url, with status callbacks for the requested events', async () => {
    app.route('/reminder', (p) => twiml(`<Gather numDigits="1" action="/confirm"><Say>Reminder for ${p.To}. Press 1 to confirm.</Say></Gather>`))
      .route('/confirm', twiml('<Say>Confirmed</Say>'));
    const form = new URLSearchParams({ To: '+15552220001', From: FROM, Url: `${app.baseUrl}/reminder`, StatusCallback: `${app.baseUrl}/status` });
    for (const e of ['initiated', 'ringing', 'answered', 'completed']) form.append('StatusCallbackEvent', e);
    const res = await rest('POST', '/Calls.json', form);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ to: '+15552220001', from: FROM, status: 'queued', direction: 'outbound-api', account_sid: ACCOUNT_SID });
    await sim.idle();
    const [call] = sim.callsTo('+15552220001');
    expect(call!.sid).toBe(res.body.sid);
    expect(app.on('/reminder')[0]!.params).toMatchObject({ CallStatus: 'in-progress', Direction: 'outbound-api', To: '+15552220001' });
    await call!.press('1');
    expect(call!.transcript()).toBe('Reminder for +15552220001. Press 1 to confirm.\nConfirmed');
    expect(app.on('/status').map((r) => r.params.CallStatus)).toEqual(['initiated', 'ringing', 'in-progress', 'completed']);
    expect(app.on('/status').map((r) => r.params.SequenceNumber)).toEqual(['0', '1', '2', '3']);
    expect((await rest('GET', `/Calls/${call!.sid}.json`)).body).toMatchObject({ sid: call!.sid, status: 'completed' });
    expect(sim.createdCalls).toEqual([expect.objectContaining({ sid: call!.sid, to: '+15552220001', at: expect.any(Number) })]);
  });

  it('busy and no-answer numbers end with that status and are never fetched', async () => {
    app.route('/reminder', twiml('<Say>hi</Say>'));
    sim.setNumberBehaviour('+15552220002', 'busy');
    sim.setNumberBehaviour('+15552220003', 'no-answer');
    for (const to of ['+15552220002', '+15552220003']) {
      await rest('POST', '/Calls.json', { To: to, From: FROM, Url: `${app.baseUrl}/reminder`, StatusCallback: `${app.baseUrl}/status` });
    }
    await sim.idle();
    expect(app.on('/reminder')).toHaveLength(0);
    expect(app.on('/status').map((r) => `${r.params.To}:${r.params.CallStatus}`)).toEqual(['+15552220002:busy', '+15552220003:no-answer']);
  });

  it('sync AMD sends AnsweredBy with the Url request; async AMD posts it to AsyncAmdStatusCallback', async () => {
    app.route('/reminder', twiml('<Pause length="30"/>'));
    sim.setNumberBehaviour('+15552220004', 'human');
    sim.setNumberBehaviour('+15552220005', 'machine');
    await rest('POST', '/Calls.json', { To: '+15552220004', From: FROM, Url: `${app.baseUrl}/reminder`, MachineDetection: 'Enable' });
    await rest('POST', '/Calls.json', {
      To: '+15552220005', From: FROM, Url: `${app.baseUrl}/reminder`, MachineDetection: 'DetectMessageEnd', AsyncAmd: 'true', AsyncAmdStatusCallback: `${app.baseUrl}/amd`,
    });
    await sim.idle();
    const fetched = app.on('/reminder');
    expect(fetched.find((r) => r.params.To === '+15552220004')!.params.AnsweredBy).toBe('human');
    expect(fetched.find((r) => r.params.To === '+15552220005')!.params).not.toHaveProperty('AnsweredBy');
    expect(app.on('/amd')[0]!.params).toMatchObject({ AnsweredBy: 'machine_end_beep', CallSid: sim.callsTo('+15552220005')[0]!.sid });
    expect(app.on('/amd')[0]!.signatureValid).toBe(true);
  });

  it('redirects and hangs up live calls; 404 for unknown sids', async () => {
    app.route('/hold', twiml('<Play loop="0">https://example.com/music.mp3</Play>')).route('/moved', twiml('<Say>moved</Say><Pause length="5"/>'));
    const res = await rest('POST', '/Calls.json', { To: '+15552220006', From: FROM, Url: `${app.baseUrl}/hold` });
    await sim.idle();
    const call = sim.call(res.body.sid as string)!;
    expect(call.waitingFor).toBe('playing');
    await rest('POST', `/Calls/${call.sid}.json`, { Url: `${app.baseUrl}/moved` });
    await sim.idle();
    expect(call.transcript()).toBe('https://example.com/music.mp3\nmoved');
    expect(call.status).toBe('completed');
    expect((await rest('POST', `/Calls/${call.sid}.json`, { Url: `${app.baseUrl}/moved` })).body.code).toBe(21220);

    const res2 = await rest('POST', '/Calls.json', { To: '+15552220007', From: FROM, Url: `${app.baseUrl}/hold` });
    await sim.idle();
    const done = await rest('POST', `/Calls/${res2.body.sid}.json`, { Status: 'completed' });
    expect(done.body.status).toBe('completed');
    const missing = await rest('GET', `/Calls/CA${'0'.repeat(32)}.json`);
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ code: 20404, status: 404 });
  });

  it('validates To and credentials with Twilio error bodies; accepts API keys', async () => {
    const bad = await rest('POST', '/Calls.json', { To: '555-1234', From: FROM, Url: `${app.baseUrl}/x` });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ code: 21211, message: expect.stringContaining('555-1234'), more_info: 'https://www.twilio.com/docs/errors/21211', status: 400 });
    expect((await rest('GET', '/Queues.json', undefined, basic(ACCOUNT_SID, 'wrong'))).status).toBe(401);
    expect((await rest('GET', '/Queues.json', undefined, basic('SK' + 'b'.repeat(32), 'key-secret'))).status).toBe(200);
  });

  it('injects faults for the next matching requests', async () => {
    app.route('/reminder', twiml('<Hangup/>'));
    sim.failNext('POST', /\/Calls\.json$/, 429, 2);
    const form = { To: '+15552220008', From: FROM, Url: `${app.baseUrl}/reminder` };
    const first = await rest('POST', '/Calls.json', form);
    expect(first).toEqual({ status: 429, body: expect.objectContaining({ code: 20429, status: 429 }) });
    expect((await rest('POST', '/Calls.json', form)).status).toBe(429);
    expect((await rest('POST', '/Calls.json', form)).status).toBe(201);
    expect(sim.createdCalls).toHaveLength(1);
  });
});

describe('the official twilio client against the fake API', () => {
  it('creates a call and dequeues a queue member through a base-URL-rewriting httpClient', async () => {
    const realOrigin = new URL(twilio(ACCOUNT_SID, AUTH_TOKEN).api.baseUrl).origin;
    const client = twilio(ACCOUNT_SID, AUTH_TOKEN, { httpClient: new SimRequestClient(api, realOrigin) });
    app.route('/webhooks/voice', twiml('<Enqueue waitUrl="/wait">front-desk</Enqueue>'))
      .route('/wait', twiml('<Say>Please hold</Say>'))
      .route('/out', twiml('<Say>outbound</Say>'))
      .route('/to-agent', twiml('<Say>Transferring</Say>'));

    const created = await client.calls.create({ to: '+15552220009', from: FROM, url: `${app.baseUrl}/out`, machineDetection: 'Enable' });
    expect(created.sid).toMatch(/^CA[0-9a-f]{32}$/);
    expect(created.status).toBe('queued');
    await sim.idle();
    expect((await client.calls(created.sid).fetch()).status).toBe('completed');

    const caller = await sim.inboundCall({ from: '+15551110009', to: FROM });
    const [queue] = await client.queues.list();
    expect(queue).toMatchObject({ friendlyName: 'front-desk', currentSize: 1 });
    const member = await client.queues(queue!.sid).members('Front').update({ url: `${app.baseUrl}/to-agent`, method: 'POST' });
    expect(member.callSid).toBe(caller.sid);
    await sim.idle();
    expect(caller.transcript()).toBe('Please hold\nTransferring');

    const keyed = twilio('SK' + 'b'.repeat(32), 'key-secret', { accountSid: ACCOUNT_SID, httpClient: new SimRequestClient(api, realOrigin) });
    expect((await keyed.queues(queue!.sid).fetch()).currentSize).toBe(0);
  });

  it('fetches and deletes a recording a <Record> made; a deleted one is 404', async () => {
    const realOrigin = new URL(twilio(ACCOUNT_SID, AUTH_TOKEN).api.baseUrl).origin;
    const client = twilio(ACCOUNT_SID, AUTH_TOKEN, { httpClient: new SimRequestClient(api, realOrigin) });
    app.route('/webhooks/voice', twiml('<Record action="/vm" maxLength="30"/>')).route('/vm', twiml('<Hangup/>'));
    const call = await sim.inboundCall({ from: '+15551110010', to: FROM });
    await call.record({ durationSec: 9 });
    const sid = app.on('/vm')[0]!.params.RecordingSid!;
    expect(await client.recordings(sid).fetch()).toMatchObject({ sid, callSid: call.sid, duration: '9' });
    expect(await client.recordings(sid).remove()).toBe(true);
    await expect(client.recordings(sid).fetch()).rejects.toMatchObject({ status: 404, code: 20404 });
  });
});
