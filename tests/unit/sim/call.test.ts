import { TwilioSim, APPLICATION_ERROR_MESSAGE } from '../../../src/sim';
import { ACCOUNT_SID, AUTH_TOKEN, TwimlServer, twiml } from './twiml-server';

const FROM = '+15551234567';
const TO = '+15550100000';

let app: TwimlServer;
let sim: TwilioSim;

beforeEach(async () => {
  app = new TwimlServer();
  const baseUrl = await app.start();
  sim = new TwilioSim({ baseUrl, accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
  app.route('/webhooks/status', () => ({ status: 204 }));
});

afterEach(async () => {
  await sim.close();
  await app.stop();
});

describe('inbound call and Gather', () => {
  it('posts Twilio inbound params, signed, and runs Say + Gather digits', async () => {
    app
      .route('/webhooks/voice', twiml('<Say voice="Polly.Joanna" language="en-US">Welcome</Say><Gather numDigits="1" action="/menu"><Say>Press 1 for refills</Say></Gather><Say>Goodbye</Say>'))
      .route('/menu', (p) => twiml(`<Say>You pressed ${p.Digits}</Say>`));
    const call = await sim.inboundCall({ from: FROM, to: TO, geo: { fromCity: 'BOSTON', fromState: 'MA', fromZip: '02108' } });

    const voice = app.on('/webhooks/voice')[0]!;
    expect(voice.signatureValid).toBe(true);
    expect(voice.params).toMatchObject({
      AccountSid: ACCOUNT_SID, From: FROM, To: TO, Caller: FROM, Called: TO, CallStatus: 'ringing', Direction: 'inbound',
      ApiVersion: '2010-04-01', FromCity: 'BOSTON', FromState: 'MA', FromZip: '02108', FromCountry: 'US', ToCountry: 'US',
    });
    expect(voice.params.CallSid).toMatch(/^CA[0-9a-f]{32}$/);
    expect(call.waitingFor).toBe('gather');
    expect(call.heard[0]).toEqual({ verb: 'Say', text: 'Welcome', language: 'en-US', voice: 'Polly.Joanna' });

    await call.press('1');
    const menu = app.on('/menu')[0]!;
    expect(menu.signatureValid).toBe(true);
    expect(menu.params).toMatchObject({ Digits: '1', CallSid: call.sid, CallStatus: 'in-progress' });
    expect(call.transcript()).toBe('Welcome\nPress 1 for refills\nYou pressed 1');
    expect(call.status).toBe('completed');
  });

  it('stops at finishOnKey, which is not sent; partial digits wait for more', async () => {
    app.route('/webhooks/voice', twiml('<Gather finishOnKey="#" action="dob"><Say>Enter your birth date</Say></Gather>'))
      .route('/webhooks/dob', (p) => twiml(`<Say>${p.Digits}</Say>`));
    const call = await sim.inboundCall({ from: FROM, to: TO });
    await call.press('0412');
    expect(call.waitingFor).toBe('gather');
    await call.press('1980#');
    // "dob" is relative to the document URL /webhooks/voice.
    expect(app.on('/webhooks/dob')[0]!.params.Digits).toBe('04121980');
  });

  it('on timeout with no input continues after the Gather', async () => {
    app.route('/webhooks/voice', twiml('<Gather action="/x"><Say>Menu</Say></Gather><Say>We did not get that</Say>'));
    const call = await sim.inboundCall({ from: FROM, to: TO });
    await call.silence();
    expect(app.on('/x')).toHaveLength(0);
    expect(call.transcript()).toBe('Menu\nWe did not get that');
    expect(call.status).toBe('completed');
  });

  it('on timeout submits the digits typed so far', async () => {
    app.route('/webhooks/voice', twiml('<Gather numDigits="4" action="/x"/>')).route('/x', twiml('<Hangup/>'));
    const call = await sim.inboundCall({ from: FROM, to: TO });
    await call.press('12');
    await call.silence();
    expect(app.on('/x')[0]!.params.Digits).toBe('12');
  });

  it('with actionOnEmptyResult posts the action without Digits', async () => {
    app.route('/webhooks/voice', twiml('<Gather action="/x" actionOnEmptyResult="true"/><Say>unreachable</Say>'))
      .route('/x', twiml('<Say>empty handled</Say>'));
    const call = await sim.inboundCall({ from: FROM, to: TO });
    await call.silence();
    expect(app.on('/x')[0]!.params).not.toHaveProperty('Digits');
    expect(call.transcript()).toBe('empty handled');
  });

  it('without action posts to the current document URL; speech sends SpeechResult and Confidence', async () => {
    let n = 0;
    app.route('/webhooks/voice', (p) => (n++ === 0 ? twiml('<Gather input="speech dtmf" language="es-MX"><Say>Diga algo</Say></Gather>') : twiml(`<Say>${p.SpeechResult}</Say>`)));
    const call = await sim.inboundCall({ from: FROM, to: TO });
    expect(call.gather?.input).toEqual(['speech', 'dtmf']);
    await call.speak('refill', 0.87);
    const second = app.on('/webhooks/voice')[1]!;
    expect(second.params).toMatchObject({ SpeechResult: 'refill', Confidence: '0.87' });
    expect(call.transcript()).toBe('Diga algo\nrefill');
  });

  it('rejects press() on a speech-only Gather', async () => {
    app.route('/webhooks/voice', twiml('<Gather input="speech"/>'));
    const call = await sim.inboundCall({ from: FROM, to: TO });
    await expect(call.press('1')).rejects.toThrow(/dtmf/);
  });
});

describe('Redirect, Reject and application errors', () => {
  it('follows Redirect with relative URLs and GET', async () => {
    app.route('/webhooks/voice', twiml('<Redirect method="GET">/next?step=2</Redirect>'))
      .route('/next', (_p, req) => twiml(`<Say>step ${String(req.query.step)}</Say>`));
    const call = await sim.inboundCall({ from: FROM, to: TO });
    const next = app.on('/next')[0]!;
    expect(next.method).toBe('GET');
    expect(next.signatureValid).toBe(true);
    expect(next.params).toMatchObject({ step: '2', CallSid: call.sid });
    expect(call.transcript()).toBe('step 2');
  });

  it('plays the application error message and ends on HTTP 500', async () => {
    app.route('/webhooks/voice', twiml('<Gather numDigits="1" action="/boom"/>'));
    app.route('/boom', () => ({ status: 500, body: 'oops' }));
    const call = await sim.inboundCall({ from: FROM, to: TO });
    await call.press('3');
    expect(call.errors).toEqual([expect.objectContaining({ kind: 'http', code: 11200, status: 500 })]);
    expect(call.heard.at(-1)!.text).toBe(APPLICATION_ERROR_MESSAGE);
    expect(call.status).toBe('completed');
    expect(app.on('/webhooks/status')[0]!.params.CallStatus).toBe('completed');
  });

  it('treats invalid XML and unknown verbs as application errors', async () => {
    app.route('/webhooks/voice', twiml('<Say>hi</Say><Sya>typo</Sya>'));
    const call = await sim.inboundCall({ from: FROM, to: TO });
    expect(call.errors[0]).toMatchObject({ kind: 'twiml', code: 12200 });
    expect(call.transcript()).toBe(APPLICATION_ERROR_MESSAGE);
  });

  it('kills a redirect loop', async () => {
    app.route('/webhooks/voice', twiml('<Redirect>/webhooks/voice</Redirect>'));
    const call = await sim.inboundCall({ from: FROM, to: TO });
    expect(call.errors[0]!.kind).toBe('loop');
    expect(app.on('/webhooks/voice').length).toBe(sim.loopLimit);
    expect(call.ended).toBe(true);
  });

  it('Reject as first verb ends the call unanswered with busy / no-answer', async () => {
    app.route('/webhooks/voice', twiml('<Reject reason="busy"/>'));
    const call = await sim.inboundCall({ from: FROM, to: TO });
    expect(call.status).toBe('busy');
    expect(app.on('/webhooks/status')[0]!.params).toMatchObject({ CallStatus: 'busy', CallDuration: '0' });
  });
});

describe('Record', () => {
  it('posts the recording to the action and the recordingStatusCallback', async () => {
    app.route('/webhooks/voice', twiml('<Say>Leave a message</Say><Record action="/vm" maxLength="30" finishOnKey="#" recordingStatusCallback="/rec"/>'))
      .route('/vm', twiml('<Say>Thanks</Say>'))
      .route('/rec', () => ({ status: 204 }));
    const call = await sim.inboundCall({ from: FROM, to: TO });
    expect(call.waitingFor).toBe('record');
    await call.record({ durationSec: 12, digits: '#' });
    const vm = app.on('/vm')[0]!;
    expect(vm.params).toMatchObject({ RecordingDuration: '12', Digits: '#', CallSid: call.sid });
    expect(vm.params.RecordingSid).toMatch(/^RE[0-9a-f]{32}$/);
    expect(vm.params.RecordingUrl).toContain(`/Recordings/${vm.params.RecordingSid}`);
    expect(app.on('/rec')[0]!.params).toMatchObject({ RecordingSid: vm.params.RecordingSid, RecordingStatus: 'completed', RecordingDuration: '12' });
    expect(call.transcript()).toBe('Leave a message\nThanks');
  });

  it('an empty recording skips the action and continues with the next verb', async () => {
    app.route('/webhooks/voice', twiml('<Record action="/vm"/><Say>No message recorded</Say>'));
    const call = await sim.inboundCall({ from: FROM, to: TO });
    await call.silence();
    expect(app.on('/vm')).toHaveLength(0);
    expect(call.transcript()).toBe('No message recorded');
  });

  it('hanging up during Record posts the action with Digits=hangup', async () => {
    app.route('/webhooks/voice', twiml('<Record action="/vm"/>')).route('/vm', twiml('<Say>ignored</Say>'));
    const call = await sim.inboundCall({ from: FROM, to: TO });
    await call.hangup({ recordedSec: 7 });
    expect(app.on('/vm')[0]!.params).toMatchObject({ Digits: 'hangup', RecordingDuration: '7', CallStatus: 'completed' });
    expect(call.transcript()).toBe('');
    expect(app.on('/webhooks/status')).toHaveLength(1);
  });
});

describe('Dial', () => {
  it('Number busy and no-answer post DialCallStatus to the action', async () => {
    sim.setNumberBehaviour('+15557770001', 'busy');
    sim.setNumberBehaviour('+15557770002', 'no-answer');
    app.route('/webhooks/voice', twiml('<Dial action="/d1" timeout="20"><Number>+15557770001</Number></Dial>'))
      .route('/d1', twiml('<Dial action="/d2">+15557770002</Dial>'))
      .route('/d2', twiml('<Say>Nobody is available</Say>'));
    const call = await sim.inboundCall({ from: FROM, to: TO });
    expect(app.on('/d1')[0]!.params).toMatchObject({ DialCallStatus: 'busy' });
    expect(app.on('/d1')[0]!.params.DialCallSid).toMatch(/^CA[0-9a-f]{32}$/);
    expect(app.on('/d2')[0]!.params).toMatchObject({ DialCallStatus: 'no-answer' });
    expect(call.transcript()).toBe('Nobody is available');
  });

  it('an answered Number bridges; when it hangs up the action gets completed and the duration', async () => {
    sim.setNumberBehaviour('+15557770003', 'answer');
    app.route('/webhooks/voice', twiml('<Dial action="/after" callerId="+15550100000"><Number>+15557770003</Number></Dial>'))
      .route('/after', twiml('<Say>Call ended</Say>'));
    const call = await sim.inboundCall({ from: FROM, to: TO });
    expect(call.waitingFor).toBe('bridged');
    sim.advance(42);
    await call.bridge!.hangup();
    expect(app.on('/after')[0]!.params).toMatchObject({ DialCallStatus: 'completed', DialCallDuration: '42' });
    expect(call.transcript()).toBe('Call ended');
  });

  it('without action continues with the next verb', async () => {
    sim.setNumberBehaviour('+15557770004', 'failed');
    app.route('/webhooks/voice', twiml('<Dial>+15557770004</Dial><Say>after dial</Say>'));
    const call = await sim.inboundCall({ from: FROM, to: TO });
    expect(call.transcript()).toBe('after dial');
  });

  it('Client: the registered client sees the parameters and accepts; agent hangup resumes the caller', async () => {
    const seen: Array<Record<string, string>> = [];
    sim.registerClient('agent-7', { onIncoming: (inc) => { seen.push({ ...inc.params, parent: inc.parentCallSid }); void inc.accept(); } });
    app.route('/webhooks/voice', twiml('<Dial action="/after"><Client><Identity>agent-7</Identity><Parameter name="patientId" value="p-1"/></Client></Dial>'))
      .route('/after', (p) => twiml(`<Say>${p.DialCallStatus}</Say>`));
    const call = await sim.inboundCall({ from: FROM, to: TO });
    expect(seen).toEqual([{ patientId: 'p-1', parent: call.sid }]);
    expect(call.waitingFor).toBe('bridged');
    await sim.incoming[0]!.hangup();
    expect(call.transcript()).toBe('completed');
  });

  it('Client reject gives busy; an unknown client no-answer', async () => {
    sim.registerClient('agent-8', { onIncoming: (inc) => void inc.reject() });
    app.route('/webhooks/voice', twiml('<Dial action="/a"><Client>agent-8</Client></Dial>'))
      .route('/a', twiml('<Dial action="/b"><Client>ghost</Client></Dial>'))
      .route('/b', twiml('<Hangup/>'));
    await sim.inboundCall({ from: FROM, to: TO });
    expect(app.on('/a')[0]!.params.DialCallStatus).toBe('busy');
    expect(app.on('/b')[0]!.params.DialCallStatus).toBe('no-answer');
  });
});

describe('status callbacks', () => {
  it('sends completed with duration, timestamp, source and sequence', async () => {
    app.route('/webhooks/voice', twiml('<Pause length="3"/><Say>bye</Say>'));
    const call = await sim.inboundCall({ from: FROM, to: TO });
    const [cb] = app.on('/webhooks/status');
    expect(cb!.signatureValid).toBe(true);
    expect(cb!.params).toMatchObject({
      CallSid: call.sid, CallStatus: 'completed', CallDuration: '3', Duration: '1',
      CallbackSource: 'call-progress-events', SequenceNumber: '0', From: FROM, To: TO, Direction: 'inbound',
    });
    expect(cb!.params.Timestamp).toMatch(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000$/);
  });

  it('can hold, duplicate and reorder deliveries', async () => {
    app.route('/webhooks/voice', twiml('<Hangup/>'));
    sim.statusCallbacks.hold = true;
    sim.statusCallbacks.duplicate = true;
    const call = await sim.inboundCall({ from: FROM, to: TO });
    expect(app.on('/webhooks/status')).toHaveLength(0);
    await call.sendStatus('ringing');
    await sim.flushStatusCallbacks({ reverse: true });
    const got = app.on('/webhooks/status').map((r) => `${r.params.CallStatus}#${r.params.SequenceNumber}`);
    expect(got).toEqual(['ringing#1', 'ringing#1', 'completed#0', 'completed#0']);
  });
});
