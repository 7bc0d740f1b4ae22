import { TwilioSim, type SimCall } from '../../../src/sim';
import { ACCOUNT_SID, AUTH_TOKEN, TwimlServer, twiml } from './twiml-server';

const CALLER = '+15551234567';
const AGENT = '+15557654321';
const TO = '+15550100000';

let app: TwimlServer;
let sim: TwilioSim;

beforeEach(async () => {
  app = new TwimlServer();
  const baseUrl = await app.start();
  sim = new TwilioSim({ baseUrl, accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
  app.route('/webhooks/status', () => ({ status: 204 })).route('/conf-events', () => ({ status: 204 }));
});

afterEach(async () => {
  await sim.close();
  await app.stop();
});

/** Routes inbound calls by caller: the caller waits for the agent; the agent starts and ends the room. */
function room(opts: { callerAttrs?: string; agentAttrs?: string; callerAction?: boolean } = {}): void {
  const callerAttrs = opts.callerAttrs ?? 'startConferenceOnEnter="false" waitUrl="/wait" statusCallback="/conf-events" statusCallbackEvent="start end join leave" participantLabel="patient"';
  const agentAttrs = opts.agentAttrs ?? 'endConferenceOnExit="true" participantLabel="agent"';
  const action = opts.callerAction === false ? '' : ' action="/after"';
  app
    .route('/webhooks/voice', (p) => twiml(p.From === CALLER
      ? `<Dial${action}><Conference ${callerAttrs}>room-1</Conference></Dial><Say>after the dial</Say>`
      : `<Dial><Conference ${agentAttrs}>room-1</Conference></Dial>`))
    .route('/wait', twiml('<Say>Please wait for your nurse</Say>'))
    .route('/after', (p) => twiml(`<Say>Conference over: ${p.DialCallStatus}</Say>`));
}

async function both(): Promise<{ caller: SimCall; agent: SimCall }> {
  const caller = await sim.inboundCall({ from: CALLER, to: TO });
  const agent = await sim.inboundCall({ from: AGENT, to: TO });
  return { caller, agent };
}

describe('<Dial><Conference>', () => {
  it('waits on the waitUrl until a startConferenceOnEnter participant joins; then both hear each other', async () => {
    room();
    const caller = await sim.inboundCall({ from: CALLER, to: TO });
    expect(caller.waitingFor).toBe('conference');
    expect(caller.conference).toBe('room-1');
    expect(caller.transcript()).toBe('Please wait for your nurse');
    const conf = sim.conference('room-1')!;
    expect(conf.sid).toMatch(/^CF[0-9a-f]{32}$/);
    expect(conf.status).toBe('init');
    await caller.talk('hello?');
    const agent = await sim.inboundCall({ from: AGENT, to: TO });
    expect(conf.status).toBe('in-progress');
    expect(agent.partyHeard).toEqual([]);
    await caller.talk('I need a refill');
    await agent.talk('Sure, which one?');
    expect(agent.partyHeard).toEqual([{ fromCallSid: caller.sid, label: 'patient', text: 'I need a refill' }]);
    expect(caller.partyHeard).toEqual([{ fromCallSid: agent.sid, label: 'agent', text: 'Sure, which one?' }]);
    expect(conf.participants.map((p) => [p.settings.label, p.status, p.settings.startConferenceOnEnter])).toEqual([
      ['patient', 'connected', false], ['agent', 'connected', true],
    ]);
  });

  it('ends when an endConferenceOnExit participant leaves: the others continue to their Dial action', async () => {
    room();
    const { caller, agent } = await both();
    await agent.hangup();
    const conf = sim.conference('room-1')!;
    expect(conf.status).toBe('completed');
    expect(conf.reasonConferenceEnded).toBe('participant-with-end-conference-on-exit-left');
    expect(conf.callSidEndingConference).toBe(agent.sid);
    const after = app.on('/after')[0]!;
    expect(after.params).toMatchObject({ CallSid: caller.sid, DialCallStatus: 'completed' });
    expect(after.signatureValid).toBe(true);
    expect(caller.transcript()).toBe('Please wait for your nurse\nConference over: completed');
    expect(caller.status).toBe('completed');
  });

  it('without an action, a removed participant continues with the next verb', async () => {
    room({ callerAction: false });
    const { caller } = await both();
    await sim.endConference('room-1');
    expect(caller.transcript()).toBe('Please wait for your nurse\nafter the dial');
    expect(sim.conference('room-1')!.reasonConferenceEnded).toBe('conference-ended-via-api');
  });

  it('an empty conference ends when its last participant leaves', async () => {
    room({ agentAttrs: '' });
    const { caller, agent } = await both();
    await caller.hangup();
    const conf = sim.conference('room-1')!;
    expect(conf.status).toBe('in-progress');
    expect(sim.conferenceMembers('room-1')).toEqual([agent]);
    await agent.hangup();
    expect(conf.status).toBe('completed');
    expect(conf.reasonConferenceEnded).toBe('last-participant-left');
    // The caller hung up: its Dial action is posted with the hangup, its TwiML ignored.
    expect(app.on('/after')).toHaveLength(1);
    // A new conference with the same name is a new resource.
    await sim.inboundCall({ from: CALLER, to: TO });
    expect(sim.conference('room-1')!.sid).not.toBe(conf.sid);
  });

  it('posts the documented status callbacks, signed, in order, from the first participant that set them', async () => {
    room({ agentAttrs: 'endConferenceOnExit="true" participantLabel="agent" statusCallback="/ignored" statusCallbackEvent="join"' });
    const { caller, agent } = await both();
    await agent.hangup();
    const conf = sim.conference('room-1')!;
    const got = app.on('/conf-events');
    expect(app.on('/ignored')).toHaveLength(0);
    expect(got.map((r) => [r.params.StatusCallbackEvent, r.params.CallSid, r.params.SequenceNumber])).toEqual([
      ['participant-join', caller.sid, '1'],
      ['participant-join', agent.sid, '2'],
      ['conference-start', undefined, '3'],
      ['participant-leave', agent.sid, '4'],
      ['participant-leave', caller.sid, '5'],
      ['conference-end', undefined, '6'],
    ]);
    expect(got.every((r) => r.signatureValid)).toBe(true);
    expect(got[1]!.params).toMatchObject({
      AccountSid: ACCOUNT_SID, ConferenceSid: conf.sid, FriendlyName: 'room-1', Muted: 'false', Hold: 'false', Coaching: 'false',
      EndConferenceOnExit: 'true', StartConferenceOnEnter: 'true', ParticipantLabel: 'agent',
    });
    expect(got[1]!.params.Timestamp).toMatch(/\+0000$/);
    expect(got[5]!.params).toMatchObject({
      ReasonConferenceEnded: 'participant-with-end-conference-on-exit-left', CallSidEndingConference: agent.sid, ParticipantLabelEndingConference: 'agent',
    });
    expect(got[5]!.params.Reason).toBeTruthy();
    expect(conf.delivered).toHaveLength(6);
  });

  it('muted participants are heard by nobody', async () => {
    room({ callerAttrs: 'muted="true"', agentAttrs: '' });
    const { caller, agent } = await both();
    await caller.talk('can you hear me');
    await agent.talk('hello');
    expect(agent.partyHeard).toEqual([]);
    expect(caller.partyHeard.map((h) => h.text)).toEqual(['hello']);
  });

  it('a coach (coach="CallSid") is heard only by the participant it coaches', async () => {
    room({ callerAttrs: '', agentAttrs: '' });
    const { caller, agent } = await both();
    app.route('/webhooks/voice', twiml(`<Dial><Conference coach="${agent.sid}">room-1</Conference></Dial>`));
    const coach = await sim.inboundCall({ from: '+15550009999', to: TO });
    await coach.talk('offer the earlier slot');
    await caller.talk('is there anything sooner');
    expect(agent.partyHeard.map((h) => h.text)).toEqual(['offer the earlier slot', 'is there anything sooner']);
    expect(caller.partyHeard).toEqual([]);
    expect(coach.partyHeard.map((h) => h.text)).toEqual(['is there anything sooner']);
  });

  it('rejects bad attributes as Twilio does (12200)', async () => {
    app.route('/webhooks/voice', twiml('<Dial><Conference beep="sometimes">room-1</Conference></Dial>'));
    const call = await sim.inboundCall({ from: CALLER, to: TO });
    expect(call.errors[0]).toMatchObject({ kind: 'twiml', code: 12200 });
  });
});
