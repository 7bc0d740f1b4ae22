import { chromium, type Browser, type Page } from 'playwright-core';
import { recordsWritten } from '../helpers/app';
import { createAgent } from '../helpers/staff';
import { getPresence } from '../../src/routing/presence';
import type { SimCall, SimConference } from '../../src/sim';
import { startRouting, TEST_ROUTING, until, type RoutingHarness } from '../e2e/routing-harness';

// Conference-era console and supervisor view in headless Chromium: two agents and a supervisor, each
// in their own browser context (own session cookie). The browser has no audio: the harness's
// consolePhone answers each browser phone leg when the console accepts (or a monitor event comes),
// and the test speaks on the local Twilio's legs with call.talk().

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const INTERPRETER_NUMBER = '+12126310901';
const ROUTING = `${TEST_ROUTING}
interpreters:
  vi: { displayName: Vietnamese interpreter line, number: "${INTERPRETER_NUMBER}" }
`;
const MARKUP_NAME = '<img src=x onerror="window.__pwned=1">Lan';

describe('conference controls in the agent console and the supervisor view', () => {
  let h: RoutingHarness;
  let browser: Browser;
  beforeAll(async () => {
    h = await startRouting({ routing: ROUTING });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    await h.close();
  });

  /** A fresh browser context (its own cookies) logged in on the agent console. */
  async function consoleFor(email: string): Promise<Page> {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${h.app.baseUrl}/console/`);
    await page.fill('#email', email);
    await page.fill('#password', 'careline-demo');
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#agent-view:not([hidden])');
    await page.waitForFunction(() => document.getElementById('live')!.textContent === 'live');
    return page;
  }

  async function goAvailable(page: Page): Promise<void> {
    await page.selectOption('#status', 'available');
    await page.waitForFunction(() => document.getElementById('state')!.textContent === 'available');
  }

  const textOf = (page: Page, sel: string) => page.textContent(sel).then((t) => t ?? '');
  const waitText = (page: Page, sel: string, re: RegExp) => page.waitForFunction(([s, src]) => new RegExp(src).test(document.querySelector(s)?.textContent ?? ''), [sel, re.source] as const);

  // The room each caller joined, kept: a held caller's call reports no conference while it hears the hold music.
  const rooms = new Map<string, SimConference>();

  /** The local Twilio's participants of the caller's conference (its own account of who is on the line). */
  function legs(caller: SimCall) {
    if (caller.conference && !rooms.has(caller.sid)) rooms.set(caller.sid, h.sim.conference(caller.conference)!);
    return rooms.get(caller.sid)?.participants.filter((p) => p.status === 'connected') ?? [];
  }
  const legOf = (caller: SimCall, to: string) => legs(caller).find((p) => p.call.to === to);
  const callerLeg = (caller: SimCall) => legs(caller).find((p) => p.call.sid === caller.sid);

  test('accept, hold and resume, a warm transfer cancelled (the console says why), then one the second agent accepts in his window and Ann completes, and a supervisor whispering to the new agent', async () => {
    const ann = await createAgent(h.app.ctx.db, { email: 'ann.conf@example.org', name: 'Ann', skills: { en: 5, general: 1 } });
    const ben = await createAgent(h.app.ctx.db, { email: 'ben.conf@example.org', name: 'Ben', skills: { en: 5, general: 1 } });
    const sue = await createAgent(h.app.ctx.db, { email: 'sue.conf@example.org', name: 'Sue', roles: ['supervisor'] });
    for (const a of [ann, ben, sue]) await h.consolePhone(a.id);
    const annClient = `client:agent_${ann.id}`;
    const benClient = `client:agent_${ben.id}`;
    const sueClient = `client:agent_${sue.id}`;

    const a = await consoleFor('ann.conf@example.org');
    await goAvailable(a);
    const caller = await h.call('+12125550181', { queue: 'general', requiredSkills: [], language: 'en', reason: 'operator', verified: false });
    await a.waitForSelector('#offer:not([hidden])');
    await a.click('#accept');
    await until('Ann is on the line with the caller', () => legOf(caller, annClient) !== undefined, h.sim);
    await a.waitForSelector('#participants li[data-role="caller"]');
    await a.waitForSelector('#participants li[data-role="agent"]');

    // Hold and resume are immediate: the caller's conference leg, Ann's leg never leaves.
    await a.click('#hold');
    await waitText(a, '#hold', /^Resume$/);
    await h.sim.idle();
    await until('the caller is on hold', () => callerLeg(caller)?.settings.hold === true, h.sim);
    expect(legOf(caller, annClient)).toBeDefined();
    await a.waitForFunction(() => /on hold/.test(document.querySelector('#participants li[data-role="caller"]')?.textContent ?? ''));
    await a.click('#hold');
    await waitText(a, '#hold', /^Hold$/);
    await until('the caller is back with Ann', () => callerLeg(caller)?.settings.hold === false, h.sim);

    // A warm transfer to Ben, picked from the directory.
    const b = await consoleFor('ben.conf@example.org');
    await goAvailable(b);
    const warmToBen = async () => {
      await a.click('#transfer-box summary');
      await a.waitForSelector(`#transfer-agent option[value="${ben.id}"]`, { state: 'attached' });
      await a.selectOption('#transfer-type', 'agent');
      await a.selectOption('#transfer-agent', ben.id);
      await a.selectOption('#transfer-mode', 'warm');
      await a.click('#transfer-form button[type=submit]');
      await b.waitForSelector('#offer:not([hidden])');
      await b.click('#accept');
      await until('Ben joins the conference', () => legOf(caller, benClient) !== undefined, h.sim);
      await waitText(a, '#consult-status', /Consulting Ben/);
    };
    // First Ann cancels the consultation: Ben leaves, the caller is back with Ann, and Ann is told why.
    await warmToBen();
    await a.click('#transfer-cancel');
    await waitText(a, '#message', /^Transfer not completed: cancelled\. You are back with the caller\.$/);
    await a.waitForSelector('#consult', { state: 'hidden' });
    await waitText(b, '#message', /The transfer to you was cancelled/);
    await until('Ben has left, the caller is off hold', () => legOf(caller, benClient) === undefined && callerLeg(caller)?.settings.hold === false, h.sim);
    await b.waitForFunction(() => document.getElementById('state')!.textContent === 'available');

    // Then again, and this time Ben is watched accepting in his window.
    await a.click('#transfer-box summary');
    await a.waitForSelector(`#transfer-agent option[value="${ben.id}"]`, { state: 'attached' });
    await a.selectOption('#transfer-type', 'agent');
    await a.selectOption('#transfer-agent', ben.id);
    await a.selectOption('#transfer-mode', 'warm');
    await a.click('#transfer-form button[type=submit]');
    await a.waitForSelector('#consult:not([hidden])');
    await waitText(a, '#consult-status', /Ringing Ben/);
    expect(await a.isDisabled('#transfer-complete')).toBe(true);

    // Ben is offered the consultation in his window and accepts it there.
    await b.waitForSelector('#offer:not([hidden])');
    await waitText(b, '#offer-title', /Transfer offered/);
    expect(await textOf(b, '#pop-warm')).toBe('Ann');
    await b.click('#accept');
    await until('Ben joins the conference', () => legOf(caller, benClient) !== undefined, h.sim);
    await waitText(a, '#consult-status', /Consulting Ben/);
    expect(callerLeg(caller)?.settings.hold).toBe(true);

    // Complete: Ann to wrap-up, the caller off hold with Ben.
    await a.click('#transfer-complete');
    await a.waitForSelector('#wrapup:not([hidden])');
    await until('Ann has left and the caller is with Ben', () => legOf(caller, annClient) === undefined && callerLeg(caller)?.settings.hold === false, h.sim);
    expect(legOf(caller, benClient)).toBeDefined();
    await waitText(b, '#message', /the caller is now yours/);
    await b.waitForSelector('#participants li[data-role="caller"]');
    expect((await getPresence(h.app.ctx, ann.id)).state).toBe('wrap-up');
    expect((await getPresence(h.app.ctx, ben.id)).state).toBe('busy');

    // The supervisor sees the conversation, now Ben's, and whispers to Ben.
    const s = await consoleFor('sue.conf@example.org');
    await s.goto(`${h.app.baseUrl}/console/supervisor`);
    const row = `tr[data-call="${caller.sid}"]`;
    await s.waitForFunction((sel) => document.querySelector(`${sel} td:nth-child(2)`)?.textContent === 'Ben', row);
    expect(await textOf(s, `${row} td:nth-child(1)`)).toBe('general');
    expect(await textOf(s, `${row} td:nth-child(3)`)).toBe('English (en)');
    expect(await textOf(s, `${row} td:nth-child(6)`)).toContain('caller');
    await s.click(`${row} button[data-mode="whisper"]`);
    await until("Sue's leg is in the conference", () => legOf(caller, sueClient) !== undefined, h.sim);
    await s.waitForFunction((sel) => document.querySelector(`${sel} td:nth-child(7)`)?.textContent === 'Sue (whisper)', row);

    const supLeg = legOf(caller, sueClient)!.call;
    const benLeg = legOf(caller, benClient)!.call;
    await supLeg.talk('offer the earlier slot');
    await caller.talk('is there anything sooner');
    await benLeg.talk('we have Tuesday at nine');
    expect(benLeg.partyHeard.map((x) => x.text)).toEqual(['offer the earlier slot', 'is there anything sooner']);
    expect(caller.partyHeard.map((x) => x.text)).toEqual(['we have Tuesday at nine']);
    expect(supLeg.partyHeard.map((x) => x.text)).toEqual(['is there anything sooner', 'we have Tuesday at nine']);

    await s.click(`${row} button[data-mode="leave"]`);
    await until("Sue's leg has left", () => legOf(caller, sueClient) === undefined, h.sim);
    await s.waitForFunction((sel) => document.querySelector(`${sel} td:nth-child(7)`)?.textContent === '—', row);

    // Ann finishes her wrap-up; the caller hangs up on Ben, who wraps up in turn.
    await a.selectOption('#disposition', 'transferred');
    await a.click('#wrapup-form button[type=submit]');
    await waitText(a, '#message', /available again/);
    await caller.hangup();
    await b.waitForSelector('#wrapup:not([hidden])');
    await recordsWritten(h.app);
    const events = await h.app.ctx.db.callEvent.findMany({ where: { callSid: caller.sid }, orderBy: { at: 'asc' } });
    const transfers = events.filter((e) => e.name === 'transfer').map((e) => (e.detail as { result: string }).result);
    expect(transfers).toEqual(['started', 'cancelled', 'started', 'completed']);
    expect(events.filter((e) => e.name === 'monitor').map((e) => (e.detail as { mode: string }).mode)).toEqual(['whisper']);
    const audit = await h.app.ctx.db.auditEntry.findMany({ where: { action: 'monitor', actorId: sue.id } });
    expect(audit).toHaveLength(2);
    for (const p of [a, b, s]) await p.context().close();
  }, 120_000);

  test("a verified patient whose language no available agent speaks: the screen pop says so and adds the interpreter line in one click; mute and unmute; refusals are shown plainly", async () => {
    const noor = await createAgent(h.app.ctx.db, { email: 'noor.conf@example.org', name: 'Noor', skills: { en: 5, nurse: 1 } });
    await h.consolePhone(noor.id);
    const patient = await h.app.ctx.db.patient.create({ data: { givenName: MARKUP_NAME, familyName: 'Nguyen', birthDate: new Date('1950-02-03'), preferredLanguage: 'vi' } });
    const n = await consoleFor('noor.conf@example.org');
    await goAvailable(n);
    const caller = await h.call('+12125550182', { queue: 'clinical', requiredSkills: ['nurse'], language: 'en', reason: 'clinical', verified: true, patientId: patient.id });
    await n.waitForSelector('#offer:not([hidden])');
    await n.waitForSelector('#language-gap:not([hidden])');
    expect(await textOf(n, '#pop-patient')).toBe(`${MARKUP_NAME} Nguyen (born 1950-02-03)`);
    expect(await textOf(n, '#pop-preferred')).toBe('Vietnamese (vi)');
    expect(await textOf(n, '#language-gap-text')).toBe('No available agent speaks Vietnamese (vi).');
    expect(await textOf(n, '#pop-interpreter')).toBe('Add Vietnamese interpreter line');
    expect(await n.$$('#offer img')).toHaveLength(0);
    expect(await n.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();

    await n.click('#accept');
    await until('Noor is on the line', () => legOf(caller, `client:agent_${noor.id}`) !== undefined, h.sim);
    // Mute and unmute: Noor's own conference leg, as the local Twilio sees it.
    const noorLeg = () => legOf(caller, `client:agent_${noor.id}`);
    await n.click('#mute');
    await waitText(n, '#mute', /^Unmute$/);
    await until("Noor's leg is muted", () => noorLeg()?.settings.muted === true, h.sim);
    await n.click('#mute');
    await waitText(n, '#mute', /^Mute$/);
    await until("Noor's leg is unmuted", () => noorLeg()?.settings.muted === false, h.sim);

    await n.click('#pop-interpreter');
    await until('the interpreter line joined', () => legOf(caller, INTERPRETER_NUMBER) !== undefined, h.sim);
    await n.waitForFunction(() => /Vietnamese \(vi\).*on the line/.test(document.querySelector('#participants li[data-role="interpreter"]')?.textContent ?? ''));
    // The interpreter hears the caller, and the caller the interpreter.
    const interpreter = legOf(caller, INTERPRETER_NUMBER)!.call;
    await caller.talk('xin chào');
    await interpreter.talk('hello, she says');
    expect(interpreter.partyHeard.map((x) => x.text)).toContain('xin chào');
    expect(caller.partyHeard.map((x) => x.text)).toContain('hello, she says');

    // Refusals from the API are shown as the server words them.
    await n.click('#add-nurse');
    await waitText(n, '#message', /^Could not add the on-call nurse: nobody is on call as nurse now$/);
    await n.fill('#add-number', '12345');
    await n.click('#add-number-form button[type=submit]');
    await waitText(n, '#message', /^Could not add 12345: not a valid phone number/);

    await n.click('#participants li[data-role="interpreter"] button');
    await until('the interpreter line left', () => legOf(caller, INTERPRETER_NUMBER) === undefined, h.sim);
    await n.waitForFunction(() => !document.querySelector('#participants li[data-role="interpreter"]'));
    await n.click('#hangup');
    await n.waitForSelector('#wrapup:not([hidden])');
    await n.context().close();
  }, 90_000);
});
