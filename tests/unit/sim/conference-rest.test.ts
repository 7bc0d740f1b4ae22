import type twilio from 'twilio';
import { TwilioSim, type ClientIncoming, type SimCall } from '../../../src/sim';
import { ACCOUNT_SID, AUTH_TOKEN, TwimlServer, twiml } from './twiml-server';
import { simTwilioClient } from './sim-twilio-client';

const CALLER = '+15551234567';
const LINE = '+15550100000';
const NURSE = '+15552220001';

let app: TwimlServer;
let sim: TwilioSim;
let client: twilio.Twilio;

beforeEach(async () => {
  app = new TwimlServer();
  const baseUrl = await app.start();
  sim = new TwilioSim({ baseUrl, accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
  client = simTwilioClient(await sim.listen(0));
  app.route('/webhooks/status', () => ({ status: 204 })).route('/pstatus', () => ({ status: 204 })).route('/conf-events', () => ({ status: 204 }))
    .route('/webhooks/voice', twiml('<Dial action="/after"><Conference startConferenceOnEnter="false" waitUrl="">room-1</Conference></Dial>'))
    .route('/after', (p) => twiml(`<Say>Back from the conference: ${p.DialCallStatus}</Say>`));
});

afterEach(async () => {
  await sim.close();
  await app.stop();
});

/** A caller waiting in room-1, and its conference. */
async function callerInRoom(): Promise<{ caller: SimCall; sid: string }> {
  const caller = await sim.inboundCall({ from: CALLER, to: LINE });
  return { caller, sid: sim.conference('room-1')!.sid };
}

/** Adds the registered browser phone `nurse-1` to room-1 (by friendly name) and answers it. */
async function addNurseClient(extra: Record<string, unknown> = {}): Promise<{ agent: SimCall; incoming: ClientIncoming }> {
  let incoming: ClientIncoming | undefined;
  sim.registerClient('nurse-1', { onIncoming: (i) => { incoming = i; } });
  const p = await client.conferences('room-1').participants.create({
    from: LINE, to: 'client:nurse-1', label: 'nurse', endConferenceOnExit: true,
    statusCallback: `${app.baseUrl}/pstatus`, statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'], ...extra,
  });
  await sim.idle();
  await incoming!.accept();
  return { agent: sim.call(p.callSid)!, incoming: incoming! };
}

describe('fake REST API: conference participants', () => {
  it('creates a participant to a registered client: offered like <Dial><Client>, joins when answered', async () => {
    const { caller, sid } = await callerInRoom();
    let incoming: ClientIncoming | undefined;
    sim.registerClient('nurse-1', { onIncoming: (i) => { incoming = i; } });
    const created = await client.conferences('room-1').participants.create({
      from: LINE, to: 'client:nurse-1', label: 'nurse', statusCallback: `${app.baseUrl}/pstatus`,
      statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
    });
    expect(created).toMatchObject({ conferenceSid: sid, label: 'nurse', muted: false, hold: false, coaching: false, startConferenceOnEnter: true });
    expect(created.callSid).toMatch(/^CA[0-9a-f]{32}$/);
    await sim.idle();
    expect(incoming!.to).toBe('client:nurse-1');
    expect(incoming!.callSid).toBe(created.callSid);
    expect((await client.conferences(sid).participants('nurse').fetch()).status).toBe('ringing');
    await incoming!.accept();
    const agent = sim.call(created.callSid)!;
    expect(agent.waitingFor).toBe('conference');
    expect(sim.conference(sid)!.status).toBe('in-progress');
    await caller.talk('hi nurse');
    expect(agent.partyHeard).toEqual([{ fromCallSid: caller.sid, text: 'hi nurse' }]);
    const list = await client.conferences(sid).participants.list();
    expect(list.map((p) => [p.callSid, p.status])).toEqual([[caller.sid, 'connected'], [agent.sid, 'connected']]);
    await agent.hangup();
    const statuses = app.on('/pstatus');
    expect(statuses.map((r) => r.params.CallStatus)).toEqual(['initiated', 'ringing', 'in-progress', 'completed']);
    expect(statuses.every((r) => r.signatureValid && r.params.CallSid === agent.sid)).toBe(true);
  });

  it('dials a number that answers; busy and no-answer (after Timeout) numbers never join', async () => {
    await callerInRoom();
    sim.setNumberBehaviour('+15552220002', 'busy');
    sim.setNumberBehaviour('+15552220003', 'no-answer');
    const answered = await client.conferences('room-1').participants.create({ from: LINE, to: NURSE });
    const busy = await client.conferences('room-1').participants.create({ from: LINE, to: '+15552220002' });
    await sim.idle();
    const before = sim.now().getTime();
    const noAnswer = await client.conferences('room-1').participants.create({ from: LINE, to: '+15552220003', timeout: 15 });
    await sim.idle();
    expect(sim.now().getTime() - before).toBeGreaterThanOrEqual(15_000);
    expect(sim.call(answered.callSid)!.waitingFor).toBe('conference');
    expect(sim.call(busy.callSid)!.status).toBe('busy');
    expect(sim.call(noAnswer.callSid)!.status).toBe('no-answer');
    expect(sim.conferenceMembers('room-1').map((c) => c.to)).toEqual([LINE, NURSE]);
  });

  it('hold fetches HoldUrl with HoldMethod (GET by default) and plays it; held parties neither hear nor are heard', async () => {
    app.route('/hold', (_p, req) => twiml(`<Say>Held by ${req.method}</Say><Play>https://example.com/music.mp3</Play>`));
    const { caller, sid } = await callerInRoom();
    const { agent } = await addNurseClient();
    await client.conferences(sid).participants(caller.sid).update({ hold: true, holdUrl: `${app.baseUrl}/hold`, holdMethod: 'POST' });
    await sim.idle();
    expect(app.on('/hold')[0]).toMatchObject({ method: 'POST', signatureValid: true });
    expect(caller.transcript()).toBe('Held by POST\nhttps://example.com/music.mp3');
    await agent.talk('one moment');
    await caller.talk('hello?');
    expect(caller.partyHeard).toEqual([]);
    expect(agent.partyHeard).toEqual([]);
    const held = await client.conferences(sid).participants(caller.sid).fetch();
    expect(held.hold).toBe(true);
    await client.conferences(sid).participants(caller.sid).update({ hold: false });
    await agent.talk('thanks for waiting');
    expect(caller.partyHeard.map((h) => h.text)).toEqual(['thanks for waiting']);
    await client.conferences(sid).participants(caller.sid).update({ hold: true, holdUrl: `${app.baseUrl}/hold` });
    await sim.idle();
    expect(app.on('/hold')[1]!.method).toBe('GET');
    expect(caller.transcript()).toContain('Held by GET');
  });

  it('a hold document with other verbs than Play, Say, Pause, Redirect is Twilio error 12200', async () => {
    app.route('/hold', twiml('<Gather><Say>press 1</Say></Gather>'));
    const { caller, sid } = await callerInRoom();
    await client.conferences(sid).participants(caller.sid).update({ hold: true, holdUrl: `${app.baseUrl}/hold` });
    await sim.idle();
    expect(caller.errors[0]).toMatchObject({ kind: 'twiml', code: 12200 });
    expect(caller.ended).toBe(true);
    expect(sim.conference(sid)!.status).toBe('completed');
  });

  it('mute: the muted participant is heard by nobody; participant-mute/unmute callbacks', async () => {
    const { caller, sid } = await callerInRoom();
    const { agent } = await addNurseClient({
      conferenceStatusCallback: `${app.baseUrl}/conf-events`, conferenceStatusCallbackEvent: ['mute', 'hold', 'modify'],
    });
    await client.conferences(sid).participants('nurse').update({ muted: true });
    await agent.talk('muted words');
    expect(caller.partyHeard).toEqual([]);
    await client.conferences(sid).participants('nurse').update({ muted: false });
    await agent.talk('hello again');
    expect(caller.partyHeard.map((h) => h.text)).toEqual(['hello again']);
    await sim.idle();
    expect(app.on('/conf-events').map((r) => [r.params.StatusCallbackEvent, r.params.Muted, r.params.ParticipantLabel])).toEqual([
      ['participant-mute', 'true', 'nurse'], ['participant-unmute', 'false', 'nurse'],
    ]);
  });

  it('coaching: the caller hears nothing of the coach; the coached agent does; the coach hears both', async () => {
    const { caller, sid } = await callerInRoom();
    const { agent } = await addNurseClient();
    const sup = await client.conferences(sid).participants.create({ from: LINE, to: '+15553330001', coaching: true, callSidToCoach: agent.sid });
    await sim.idle();
    const coach = sim.call(sup.callSid)!;
    await coach.talk('ask for the date of birth');
    await caller.talk('my refill is late');
    expect(caller.partyHeard).toEqual([]);
    expect(agent.partyHeard.map((h) => h.text)).toEqual(['ask for the date of birth', 'my refill is late']);
    expect(coach.partyHeard.map((h) => h.text)).toEqual(['my refill is late']);
    // Barge: coaching off, the coach is heard by everyone.
    await client.conferences(sid).participants(sup.callSid).update({ coaching: false });
    await sim.say(coach.sid, 'hello, I am the supervisor');
    expect(caller.partyHeard.map((h) => h.text)).toEqual(['hello, I am the supervisor']);
  });

  it('delete kicks: a REST-created participant hangs up; a TwiML-joined one continues to its Dial action', async () => {
    const { caller, sid } = await callerInRoom();
    await client.conferences('room-1').participants.create({ from: LINE, to: NURSE, label: 'nurse' });
    await client.conferences('room-1').participants.create({ from: LINE, to: '+15553330001', label: 'interpreter' });
    await sim.idle();
    const nurse = sim.conferenceMembers(sid).find((c) => c.to === NURSE)!;
    await client.conferences(sid).participants('nurse').remove();
    await sim.idle();
    expect(nurse.status).toBe('completed');
    await client.conferences(sid).participants(caller.sid).remove();
    await sim.idle();
    expect(app.on('/after')[0]!.params).toMatchObject({ CallSid: caller.sid, DialCallStatus: 'completed' });
    expect(caller.transcript()).toBe('Back from the conference: completed');
    expect(sim.conference(sid)!.status).toBe('in-progress');
    await expect(client.conferences(sid).participants(caller.sid).fetch()).rejects.toMatchObject({ status: 404 });
  });

  it('an endConferenceOnExit agent leaving removes the others; REST Status=completed ends a conference', async () => {
    const { caller, sid } = await callerInRoom();
    const { incoming } = await addNurseClient();
    await incoming.hangup();
    expect(app.on('/after')[0]!.params.DialCallStatus).toBe('completed');
    const ended = await client.conferences(sid).fetch();
    expect(ended).toMatchObject({ status: 'completed', reasonConferenceEnded: 'participant-with-end-conference-on-exit-left' });
    expect(caller.transcript()).toBe('Back from the conference: completed');

    const next = await sim.inboundCall({ from: CALLER, to: LINE });
    const room2 = sim.conference('room-1')!;
    await client.conferences(room2.sid).update({ status: 'completed' });
    await sim.idle();
    expect(room2).toMatchObject({ status: 'completed', reasonConferenceEnded: 'conference-ended-via-api' });
    expect(next.transcript()).toBe('Back from the conference: completed');
  });

  it('lists conferences filtered by FriendlyName and Status, newest first', async () => {
    const { sid } = await callerInRoom();
    await sim.endConference(sid);
    await sim.inboundCall({ from: CALLER, to: LINE });
    const all = await client.conferences.list({ friendlyName: 'room-1' });
    expect(all.map((c) => c.status)).toEqual(['init', 'completed']);
    const done = await client.conferences.list({ status: 'completed' });
    expect(done.map((c) => c.sid)).toEqual([sid]);
    expect(done[0]).toMatchObject({ friendlyName: 'room-1', accountSid: ACCOUNT_SID });
  });

  it('creates the conference from its friendly name when the first participant is added; a declined client ends busy', async () => {
    sim.registerClient('nurse-2', { onIncoming: (i) => i.reject() });
    const declined = await client.conferences('room-2').participants.create({ from: LINE, to: 'client:nurse-2' });
    await sim.idle();
    expect(sim.call(declined.callSid)!.status).toBe('busy');
    const first = sim.conference('room-2')!;
    expect(first.status).toBe('completed');
    const p = await client.conferences('room-2').participants.create({
      from: LINE, to: NURSE, label: 'nurse', conferenceStatusCallback: `${app.baseUrl}/conf-events`,
      conferenceStatusCallbackEvent: ['start', 'join', 'hold'],
    });
    await sim.idle();
    const room = sim.conference('room-2')!;
    expect(room.sid).not.toBe(first.sid);
    expect(room.sid).toBe(p.conferenceSid);
    expect(room.status).toBe('init');
    app.route('/webhooks/voice', twiml('<Dial><Conference>room-2</Conference></Dial>'));
    const caller = await sim.inboundCall({ from: CALLER, to: LINE });
    expect(room.status).toBe('in-progress');
    await client.conferences(room.sid).participants(caller.sid).update({ hold: true });
    await sim.idle();
    expect(caller.heard.map((h) => h.text)).toEqual(['twilio:default-hold-music']);
    expect(app.on('/conf-events').map((r) => [r.params.StatusCallbackEvent, r.params.Hold])).toEqual([
      ['participant-join', 'false'], ['participant-join', 'false'], ['conference-start', undefined], ['participant-hold', 'true'],
    ]);
  });
});
