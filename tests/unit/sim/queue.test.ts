import { TwilioSim } from '../../../src/sim';
import { ACCOUNT_SID, AUTH_TOKEN, TwimlServer, twiml } from './twiml-server';

const TO = '+15550100000';
let app: TwimlServer;
let sim: TwilioSim;
let api: string;
const auth = 'Basic ' + Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64');

async function rest(method: string, path: string, form?: Record<string, string>): Promise<{ status: number; body: any }> {
  const res = await fetch(`${api}/2010-04-01/Accounts/${ACCOUNT_SID}${path}`, {
    method,
    headers: { Authorization: auth, ...(form ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}) },
    body: form ? new URLSearchParams(form).toString() : undefined,
  });
  return { status: res.status, body: await res.json() };
}

beforeEach(async () => {
  app = new TwimlServer();
  const baseUrl = await app.start();
  sim = new TwilioSim({ baseUrl, accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
  api = await sim.listen(0);
  app.route('/webhooks/status', () => ({ status: 204 }))
    .route('/webhooks/voice', twiml('<Say>Please hold</Say><Enqueue waitUrl="/wait" action="/left">pharmacy</Enqueue><Say>after queue</Say>'))
    .route('/wait', (p) => twiml(`<Say>You are number ${p.QueuePosition}</Say><Pause length="10"/>`))
    .route('/left', (p) => twiml(`<Say>left with ${p.QueueResult}</Say>`));
});

afterEach(async () => {
  await sim.close();
  await app.stop();
});

describe('Enqueue', () => {
  it('enters the queue, plays the waitUrl with queue params, and loops it lazily', async () => {
    const a = await sim.inboundCall({ from: '+15551110001', to: TO });
    const b = await sim.inboundCall({ from: '+15551110002', to: TO });
    expect(a.waitingFor).toBe('hold');
    expect(b.queue).toMatchObject({ name: 'pharmacy', position: 2 });
    expect(b.queue!.sid).toMatch(/^QU[0-9a-f]{32}$/);
    const wait = app.on('/wait');
    expect(wait).toHaveLength(2);
    expect(wait[1]!.params).toMatchObject({ QueuePosition: '2', CurrentQueueSize: '2', MaxQueueSize: '1000', QueueSid: b.queue!.sid, CallSid: b.sid });
    expect(wait[1]!.signatureValid).toBe(true);

    await a.waitLoop(3);
    expect(app.on('/wait').filter((r) => r.params.CallSid === a.sid)).toHaveLength(4);
    expect(app.on('/wait').at(-1)!.params.QueueTime).toBe(String(10 * 3 + 10));
    expect(a.transcript()).toBe(['Please hold', ...Array(4).fill('You are number 1')].join('\n'));
  });

  it('Leave in the waitUrl requests the action with QueueResult=leave', async () => {
    app.route('/wait', twiml('<Gather numDigits="1" action="/wait-key"><Say>Press 1 to leave a voicemail</Say></Gather>'))
      .route('/wait-key', twiml('<Leave/>'));
    const call = await sim.inboundCall({ from: '+15551110003', to: TO });
    expect(call.waitingFor).toBe('gather');
    await call.press('1');
    expect(app.on('/left')[0]!.params).toMatchObject({ QueueResult: 'leave' });
    expect(call.transcript()).toContain('left with leave');
    expect(sim.queues.get('pharmacy')!.currentSize).toBe(0);
  });

  it('a caller hanging up while queued posts QueueResult=hangup, then the status callback', async () => {
    const call = await sim.inboundCall({ from: '+15551110004', to: TO });
    await call.hangup();
    expect(app.on('/left')[0]!.params).toMatchObject({ QueueResult: 'hangup' });
    const order = app.received.map((r) => r.path).filter((p) => p === '/left' || p === '/webhooks/status');
    expect(order).toEqual(['/left', '/webhooks/status']);
    expect(sim.queues.get('pharmacy')!.currentSize).toBe(0);
  });

  it('REST dequeue sends the member to the Url and requests the action with QueueResult=redirected', async () => {
    app.route('/agent-ready', twiml('<Say>Connecting you now</Say>'));
    const a = await sim.inboundCall({ from: '+15551110005', to: TO });
    const b = await sim.inboundCall({ from: '+15551110006', to: TO });
    const queues = await rest('GET', '/Queues.json');
    expect(queues.body.queues[0]).toMatchObject({ friendly_name: 'pharmacy', current_size: 2, max_size: 1000 });
    const qsid = queues.body.queues[0].sid as string;
    const members = await rest('GET', `/Queues/${qsid}/Members.json`);
    expect(members.body.queue_members.map((m: { call_sid: string }) => m.call_sid)).toEqual([a.sid, b.sid]);

    const res = await rest('POST', `/Queues/${qsid}/Members/Front.json`, { Url: `${app.baseUrl}/agent-ready`, Method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ call_sid: a.sid, position: 1, queue_sid: qsid });
    await sim.idle();
    expect(app.on('/left')[0]!.params).toMatchObject({ QueueResult: 'redirected', CallSid: a.sid });
    expect(a.transcript().split('\n').at(-1)).toBe('Connecting you now');
    expect(a.transcript()).not.toContain('left with');
    expect(b.queue!.position).toBe(1);
    expect((await rest('POST', `/Queues/${qsid}/Members/${a.sid}.json`, { Url: `${app.baseUrl}/x` })).status).toBe(404);
  });

  it('<Dial><Queue> bridges the head of the queue; when the agent hangs up the caller posts QueueResult=bridged', async () => {
    app.route('/whisper', (p) => twiml(`<Say>An agent is joining, ${p.DequeingCallSid ? 'now' : ''}</Say>`))
      .route('/agent', twiml('<Dial action="/agent-done"><Queue url="/whisper">pharmacy</Queue></Dial>'))
      .route('/agent-done', (p) => twiml(`<Say>agent ${p.DialCallStatus}</Say>`));
    const caller = await sim.inboundCall({ from: '+15551110007', to: TO });
    sim.advance(30);
    app.route('/webhooks/voice', twiml('<Redirect>/agent</Redirect>'));
    const agent = await sim.inboundCall({ from: 'client:agent-1', to: TO });

    expect(caller.waitingFor).toBe('bridged');
    expect(agent.waitingFor).toBe('bridged');
    expect(app.on('/whisper')[0]!.params).toMatchObject({ CallSid: caller.sid, DequeingCallSid: agent.sid, QueueTime: '40' }); // 10 s of wait music + 30 s
    expect(caller.transcript()).toContain('An agent is joining, now');
    expect(agent.bridge!.callSid).toBe(caller.sid);

    sim.advance(95);
    await agent.hangup();
    expect(app.on('/left')[0]!.params).toMatchObject({ QueueResult: 'bridged', QueueTime: '40', CallSid: caller.sid });
    expect(caller.transcript().split('\n').at(-1)).toBe('left with bridged');
    expect(app.on('/agent-done')[0]!.params).toMatchObject({ DialCallStatus: 'completed', DialCallSid: caller.sid, DialCallDuration: '95' });
  });

  it('an agent dialing an empty queue waits for the next caller; caller hangup resumes the agent', async () => {
    app.route('/webhooks/voice', twiml('<Dial action="/agent-done"><Queue>pharmacy</Queue></Dial>'))
      .route('/agent-done', (p) => twiml(`<Say>agent ${p.DialCallStatus}</Say>`));
    await rest('POST', '/Queues.json', { FriendlyName: 'pharmacy' });
    const agent = await sim.inboundCall({ from: 'client:agent-2', to: TO });
    expect(agent.waitingFor).toBe('dialing');
    app.route('/webhooks/voice', twiml('<Enqueue waitUrl="/wait" action="/left">pharmacy</Enqueue>'));
    const caller = await sim.inboundCall({ from: '+15551110008', to: TO });
    expect(caller.waitingFor).toBe('bridged');
    await caller.hangup();
    expect(agent.transcript()).toBe('agent completed');
    expect(app.on('/left')[0]!.params.QueueResult).toBe('bridged');
  });
});
