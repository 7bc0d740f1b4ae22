import path from 'node:path';
import { continueFlow, startFlow } from '../../src/flow/engine';
import { loadFlowSet } from '../../src/flow/loader';
import { getAction } from '../../src/flow/actions';
import { forgetHoursCache } from '../../src/calendar/hours';
import { loadSession, type CallSession } from '../../src/flow/session';
import { parseTwiml, type Verb } from '../../src/sim';
import { recordsWritten, startTestApp, type TestApp } from '../helpers/app';
import { newCallSid } from '../helpers/twilio-request';

// The engine on the fixture flows (every node kind, a sub-flow), driven directly step by step.
const flows = loadFlowSet(path.resolve(__dirname, '../fixtures/flows/good'));
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app.close();
});

const said = (twiml: string) =>
  parseTwiml(twiml)
    .flatMap((v): readonly Verb[] => (v.verb === 'Gather' ? v.prompts : [v]))
    .filter((v) => v.verb === 'Say')
    .map((v) => (v as { text: string }).text);

async function begin(language: 'en' | 'es' = 'en') {
  const callSid = newCallSid();
  const twiml = await startFlow(app.ctx, { callSid, flow: 'main', language, vars: { name: 'Sam' }, from: '+12125550199', flows });
  const step = async (input: Parameters<typeof continueFlow>[3]) => {
    const s = await loadSession(app.ctx, callSid);
    return continueFlow(app.ctx, callSid, s!.step, input, flows);
  };
  return { callSid, twiml, step };
}

test('say with placeholders, set, menu; a sub-flow runs and returns to the caller flow', async () => {
  const { twiml, step, callSid } = await begin();
  expect(said(twiml)).toEqual(['Hello Sam.', 'Press 1 for the helper, 2 to leave a message, 3 to call out.']);
  expect(twiml).toContain('<Pause length="1"/>');
  const after = await step({ speech: 'the helper please' });
  expect(said(after)).toEqual(['You are in the helper.', 'Goodbye.']);
  expect(after).toContain('<Hangup/>');
  const s = await loadSession(app.ctx, callSid);
  expect(s).toMatchObject({ flow: 'main', node: 'bye', stack: [], ended: true, vars: { name: 'friend' } });
  expect(s!.path).toEqual(['main/hello', 'main/init', 'main/menu', 'main/helper', 'sub/helper/say', 'sub/helper/back', 'main/bye']);
});

test('collect, branch, action, dial with its fallback, voicemail and callback task, in Spanish', async () => {
  const { step, callSid } = await begin('es');
  const ask = await step({ digits: '3' });
  expect(said(ask)).toEqual(['Marque un número.']);
  expect(ask).toContain('language="es-US"');
  const dial = await step({ digits: '7' });
  const verbs = parseTwiml(dial);
  expect(verbs.find((v) => v.verb === 'Dial')).toMatchObject({ timeout: 20, nouns: [{ kind: 'Number', number: '+16175550100' }] });
  const vm = await step({ dialStatus: 'no-answer' });
  expect(parseTwiml(vm).map((v) => v.verb)).toEqual(['Say', 'Record', 'Redirect']);
  const bye = await step({ recordingUrl: 'https://recordings.example/x/Recordings/RE1', recordingSid: 'RE1' });
  expect(said(bye)).toEqual(['Adiós.']);
  await recordsWritten(app);
  const task = await app.ctx.db.callbackTask.findFirstOrThrow({ where: { callSid } });
  expect(task).toMatchObject({ reason: 'voicemail', language: 'es', phone: '+12125550199', recordingSid: 'RE1' });
  const events = await app.ctx.db.callEvent.findMany({ where: { callSid, type: 'node' } });
  expect(events.map((e) => e.key).sort()).toEqual(
    ['node:1:hello', 'node:2:init', 'node:3:menu', 'node:4:ask', 'node:5:check', 'node:6:lucky', 'node:7:out', 'node:8:message', 'node:9:bye'].sort(),
  );
});

test('retries then fallback; 0 reaches the operator, closed -> voicemail; a stale step changes nothing', async () => {
  const { step, callSid } = await begin();
  const again = await step({ digits: '9' });
  expect(said(again)[0]).toBe('That is not an option.');
  const silent = await step({});
  expect(said(silent)[0]).toBe('I did not hear you.');
  const s1 = await loadSession(app.ctx, callSid);
  const stale = await continueFlow(app.ctx, callSid, s1!.step - 1, { digits: '1' }, flows);
  expect(stale).toBe(s1!.lastTwiml);
  // no business hours in this database: the practice is closed, the operator node goes to voicemail
  const op = await step({ digits: '0' });
  expect(parseTwiml(op).map((v) => v.verb)).toEqual(['Say', 'Record', 'Redirect']);
  await recordsWritten(app);
  const input = await app.ctx.db.callEvent.findMany({ where: { callSid, type: 'input' } });
  expect(input.map((e) => e.detail)).toEqual(expect.arrayContaining([expect.objectContaining({ global: 'operator' })]));
});

test('a failing action ends the call politely in the caller\'s language', async () => {
  const { step, callSid } = await begin('es');
  await step({ digits: '3' });
  await app.ctx.db.$executeRawUnsafe('ALTER TABLE "BusinessHours" RENAME TO "BusinessHoursGone"');
  forgetHoursCache(app.ctx);
  try {
    const twiml = await step({ digits: '7' });
    expect(twiml).toContain('Lo sentimos, estamos teniendo problemas en este momento.');
    expect((await loadSession(app.ctx, callSid))!.ended).toBe(true);
  } finally {
    await app.ctx.db.$executeRawUnsafe('ALTER TABLE "BusinessHoursGone" RENAME TO "BusinessHours"');
    forgetHoursCache(app.ctx);
  }
});

test('http.request (Studio make-http-request) stores a JSON answer in a variable; failures are a result, not a crash', async () => {
  const http = await import('node:http');
  const server = http.createServer((req, res) => {
    if (req.url === '/ok') res.setHeader('content-type', 'application/json').end(JSON.stringify({ open: true, wait: 3 }));
    else res.writeHead(500).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  try {
    const spec = getAction('http.request')!;
    const session = { vars: {} } as CallSession;
    const input = (args: Record<string, string>) => ({ ctx: app.ctx, session, args, language: 'en' as const, prompt: () => '', log: app.ctx.log, record: () => undefined, visitKey: '1:x' });
    expect(await spec.fn(input({ url: `${base}/ok`, var: 'status' }))).toBe('ok');
    expect(session.vars.status).toEqual({ open: true, wait: 3 });
    expect(await spec.fn(input({ url: `${base}/broken`, var: 'status' }))).toBe('error');
    expect(await spec.fn(input({ url: 'file:///etc/passwd', var: 'status' }))).toBe('error');
  } finally {
    server.close();
  }
});
