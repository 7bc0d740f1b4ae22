import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { updateCallRecord, recordWrapUpEnd } from '../../src/records/call-events';
import { applyStatusCallback } from '../../src/records/call-status';
import { startCallRecord } from '../../src/records/call-start';
import { startTestApp, type TestApp } from '../helpers/app';
import { createAgent, DEMO_PASSWORD } from '../helpers/staff';
import { newCallSid } from '../helpers/twilio-request';

// The supervisor reports page in headless Chromium: it loads with the supervisor's session, shows
// the report's figures, draws the hourly chart with SVG (no CDN, no script from elsewhere) and
// flags overdue callbacks; without a session it asks to sign in.

const DAY = '2026-11-24';
const at = (hhmm: string) => new Date(`${DAY}T${hhmm}:00-05:00`);

describe('supervisor reports page', () => {
  let app: TestApp;
  let browser: Browser;
  let agentId: string;

  async function answeredCall(start: string, queued: string, answered: string, end: string) {
    const sid = newCallSid();
    await startCallRecord(app.ctx, { callSid: sid, from: '+12125550100', to: '+15550100000', direction: 'inbound', at: at(start) });
    await updateCallRecord(app.ctx, sid, { intent: 'refill', queueName: 'pharmacy', queueEnteredAt: at(queued), agentId, agentAnsweredAt: at(answered), queueExitedAt: at(answered) });
    await applyStatusCallback(app.ctx, { callSid: sid, status: 'completed', at: at(end) });
    await recordWrapUpEnd(app.ctx, sid, agentId, at(end));
  }

  beforeAll(async () => {
    app = await startTestApp({ clock: { now: () => new Date('2026-11-26T17:00:00Z') } });
    agentId = (await createAgent(app.ctx.db, { email: 'ana@example.org', name: 'Ana Alvarez', skills: { pharmacy: 3 } })).id;
    await createAgent(app.ctx.db, { email: 'sue@example.org', name: 'Sue Supervisor', roles: ['supervisor'] });
    await answeredCall('09:00', '09:01', '09:01', '09:05'); // wait 0
    await answeredCall('09:30', '09:31', '09:32', '09:36'); // wait 60: outside 30 s
    const abandoned = newCallSid();
    await startCallRecord(app.ctx, { callSid: abandoned, direction: 'inbound', at: at('14:00') });
    await updateCallRecord(app.ctx, abandoned, { intent: 'billing', queueName: 'billing', queueEnteredAt: at('14:01') });
    await applyStatusCallback(app.ctx, { callSid: abandoned, status: 'completed', at: at('14:03') });
    await app.ctx.db.callbackTask.create({ data: { key: 'late-one', phone: '+12125550100', reason: 'voicemail', queueName: 'clinical', createdAt: at('10:00'), dueAt: new Date('2026-11-25T22:00:00Z') } });

    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  });

  afterAll(async () => {
    await browser?.close();
    await app.close();
  });

  test('shows the figures, the SVG chart and the overdue callback to a supervisor', async () => {
    const context = await browser.newContext();
    // Log in through the real API; the context keeps the session cookie for the page.
    const login = await context.request.post(`${app.baseUrl}/api/auth/login`, { data: { email: 'sue@example.org', password: DEMO_PASSWORD } });
    expect(login.status()).toBe(200);
    const page = await context.newPage();
    const external: string[] = [];
    const errors: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(app.baseUrl)) external.push(r.url());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${app.baseUrl}/console/reports?from=${DAY}&to=${DAY}`);
    await page.waitForSelector('body[data-loaded="true"]');

    expect(await page.getAttribute('#kpi-sl', 'data-value')).toBe('33.3'); // 1 within 30 s / (2 answered + 1 abandoned after 30 s)
    expect(await page.textContent('#kpi-sl')).toBe('33.3%');
    expect(await page.getAttribute('#kpi-asa', 'data-value')).toBe('30');
    expect(await page.getAttribute('#kpi-abandon', 'data-value')).toBe('33.3');
    expect(await page.getAttribute('#kpi-aht', 'data-value')).toBe('240');
    expect(await page.textContent('#kpi-aht')).toBe('4:00 min');
    expect(await page.getAttribute('#kpi-inbound', 'data-value')).toBe('3');
    // no hold or transfers on these calls; each answered call had the caller and one agent
    expect(await page.getAttribute('#kpi-hold', 'data-value')).toBe('0');
    expect(await page.getAttribute('#kpi-transfer', 'data-value')).toBe('0');
    expect(await page.textContent('#kpi-parties')).toBe('2.0');

    // One bar per hour of the day; the 9 o'clock bar holds the two answered calls.
    expect(await page.locator('#hour-svg g.bar').count()).toBe(24);
    expect(await page.getAttribute('#hour-svg g.bar[data-hour="9"] rect[data-series="answered"]', 'data-value')).toBe('2');
    expect(await page.getAttribute('#hour-svg g.bar[data-hour="14"] rect[data-series="abandoned"]', 'data-value')).toBe('1');
    expect(await page.getAttribute('#sl-svg circle[data-value]', 'data-value')).toBe('33.3');

    expect(await page.textContent('#agents tbody tr[data-agent]')).toContain('Ana Alvarez');
    const overdue = page.locator('#callbacks tbody tr.overdue');
    expect(await overdue.count()).toBe(1);
    expect(await overdue.textContent()).toContain('OVERDUE');
    expect(await page.getAttribute('#csv', 'href')).toBe(`/api/reports.csv?from=${DAY}&to=${DAY}`);

    // Changing the threshold reloads the figures.
    await page.fill('#threshold', '60');
    await page.click('#range button[type=submit]');
    await page.waitForFunction(() => document.getElementById('kpi-sl')?.dataset.value === '66.7');
    expect(new URL(page.url()).searchParams.get('threshold')).toBe('60');

    // Find calls: by number, then by outcome; each search is audited for the supervisor.
    await page.fill('#s-number', '(212) 555-0100');
    await page.click('#search-form button[type=submit]');
    await page.waitForFunction(() => document.querySelectorAll('#calls tbody tr[data-call]').length === 2);
    expect(await page.textContent('#calls tbody tr[data-call]')).toContain('Ana Alvarez');
    await page.fill('#s-number', '');
    await page.selectOption('#s-outcome', 'abandoned');
    await page.click('#search-form button[type=submit]');
    await page.waitForFunction(() => document.querySelectorAll('#calls tbody tr[data-call]').length === 1);
    expect(await page.textContent('#calls tbody tr[data-call]')).toContain('billing');
    expect(await app.ctx.db.auditEntry.count({ where: { action: 'read', entity: 'call_record' } })).toBe(3);

    await page.screenshot({ path: path.join(os.tmpdir(), 'careline-reports.png'), fullPage: true }).catch(() => undefined);
    expect(external).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  test('without a session the page asks to sign in', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${app.baseUrl}/console/reports`);
    await page.waitForSelector('#status.error');
    expect(await page.textContent('#status')).toContain('sign in');
    expect(await page.isHidden('#report')).toBe(true);
    await context.close();
  });
});
