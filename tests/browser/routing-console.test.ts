import { recordsWritten } from '../helpers/app';
import { chromium, type Browser, type Page } from 'playwright-core';
import { getPresence } from '../../src/routing/presence';
import { startRouting, until, type RoutingHarness } from '../e2e/routing-harness';
import { createAgent } from '../helpers/staff';
import { agentOnCall } from '../helpers/conference';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const MARKUP_NAME = '<img src=x onerror="window.__pwned=1">Eve';

describe('agent console in headless Chromium', () => {
  let h: RoutingHarness;
  let browser: Browser;
  let page: Page;
  beforeAll(async () => {
    h = await startRouting();
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    page = await browser.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await h.close();
  });

  test('log in, go available, get a screen pop for a routed call, accept, hang up, write a disposition and notes, and see them stored', async () => {
    const agent = await createAgent(h.app.ctx.db, { email: 'browser@example.org', name: 'Rosa Agent', skills: { en: 5, es: 5, pharmacist: 1, clinical: 2 } });
    const phone = await h.consolePhone(agent.id);
    // A verified patient whose name is markup: the console must show it as text.
    const patient = await h.app.ctx.db.patient.create({ data: { givenName: MARKUP_NAME, familyName: 'Doe', birthDate: new Date('1970-05-04'), preferredLanguage: 'es' } });

    await page.goto(`${h.app.baseUrl}/console/`);
    await page.fill('#email', 'browser@example.org');
    await page.fill('#password', 'careline-demo');
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#agent-view:not([hidden])');
    // Twilio cannot be reached here: the console says so plainly.
    await page.waitForFunction(() => /Browser phone unavailable/.test(document.getElementById('phone-status')!.textContent ?? ''));
    await page.waitForFunction(() => document.getElementById('live')!.textContent === 'live');
    // The Voice SDK itself is served and loads (it only lacks a token here).
    expect(await page.evaluate(() => typeof (window as unknown as { Twilio?: { Device?: unknown } }).Twilio?.Device)).toBe('function');

    await page.selectOption('#status', 'available');
    await page.waitForFunction(() => document.getElementById('state')!.textContent === 'available');
    expect((await getPresence(h.app.ctx, agent.id)).state).toBe('available');

    const caller = await h.call('+13055550161', {
      queue: 'clinical',
      requiredSkills: ['es', 'pharmacist'],
      language: 'es',
      reason: 'clinical',
      verified: true,
      patientId: patient.id,
      ivrPath: ['welcome', 'menu', '<script>window.__pwned=2</script>clinical'],
    });
    await page.waitForSelector('#offer:not([hidden])');
    await page.waitForFunction(() => document.getElementById('pop-patient')!.textContent!.includes('Doe'));
    expect(await page.textContent('#pop-patient')).toBe(`${MARKUP_NAME} Doe (born 1970-05-04)`);
    expect(await page.textContent('#pop-language')).toBe('Spanish (es)');
    expect(await page.textContent('#pop-reason')).toBe('clinical');
    expect(await page.textContent('#pop-path')).toBe('welcome › menu › <script>window.__pwned=2</script>clinical');
    expect(await page.textContent('#pop-wait')).toMatch(/\d+ s/);
    // The injected markup stayed text: no element was created and no script ran.
    expect(await page.$$('#offer img, #offer script')).toHaveLength(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    // Reading the verified patient in the screen pop is audited.
    const audit = await h.app.ctx.db.auditEntry.findMany({ where: { patientId: patient.id, actorType: 'agent', actorId: agent.id, action: 'read' } });
    expect(audit.length).toBeGreaterThanOrEqual(1);

    await page.click('#accept');
    await until('the caller is connected to the agent', () => agentOnCall(h.sim, caller) === `client:agent_${agent.id}`, h.sim);
    await page.waitForSelector('#call-actions:not([hidden])');
    await page.waitForFunction(() => document.getElementById('state')!.textContent === 'busy');
    expect(phone.offered[0]!.status).toBe('accepted');

    await page.click('#hangup');
    await page.waitForSelector('#wrapup:not([hidden])');
    await page.selectOption('#disposition', 'message_taken');
    await page.fill('#notes', 'Paciente pregunta por dosis; <b>llamar</b> mañana');
    await page.click('#wrapup-form button[type=submit]');
    await page.waitForFunction(() => /available again/.test(document.getElementById('message')!.textContent ?? ''));
    await page.waitForFunction(() => document.getElementById('state')!.textContent === 'available');

    await recordsWritten(h.app);
    const record = await h.app.ctx.db.callRecord.findUniqueOrThrow({ where: { callSid: caller.sid } });
    expect(record).toMatchObject({ agentId: agent.id, disposition: 'message_taken', notes: 'Paciente pregunta por dosis; <b>llamar</b> mañana' });
    expect(caller.ended).toBe(true);
    expect((await getPresence(h.app.ctx, agent.id)).state).toBe('available');
  });

  test('the supervisor view lists queues and agents, and can change an agent state', async () => {
    await createAgent(h.app.ctx.db, { email: 'boss@example.org', name: 'Boss', roles: ['supervisor'] });
    const sup = await browser.newPage();
    await sup.goto(`${h.app.baseUrl}/console/`);
    await sup.fill('#email', 'boss@example.org');
    await sup.fill('#password', 'careline-demo');
    await sup.click('#login-form button[type=submit]');
    await sup.waitForSelector('#sup-link:not([hidden])');
    const waiting = await h.call('+13055550162', { queue: 'pharmacy', requiredSkills: ['pharmacist'], language: 'en', reason: 'refill', verified: false });
    await sup.goto(`${h.app.baseUrl}/console/supervisor`);
    await sup.waitForSelector('tr[data-queue="pharmacy"]');
    await sup.waitForFunction(() => document.querySelector('tr[data-queue="pharmacy"] td:nth-child(2)')?.textContent === '1');
    const rosa = await h.app.ctx.db.agent.findUniqueOrThrow({ where: { email: 'browser@example.org' } });
    const row = `tr[data-agent="${rosa.id}"]`;
    await sup.waitForSelector(row);
    await sup.selectOption(`${row} select`, 'break');
    await sup.click(`${row} button`);
    await sup.waitForFunction((sel) => document.querySelector(`${sel} td:nth-child(2)`)?.textContent === 'break', row);
    expect((await getPresence(h.app.ctx, rosa.id)).state).toBe('break');
    await waiting.hangup();
    await sup.close();
  });
});
