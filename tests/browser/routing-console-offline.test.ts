import { chromium, type Browser } from 'playwright-core';
import { startRouting, type RoutingHarness } from '../e2e/routing-harness';
import { createAgent } from '../helpers/staff';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// The browser phone is configured (API key, TwiML App) but Twilio cannot be reached from here.
describe('agent console when Twilio is configured but unreachable', () => {
  let h: RoutingHarness;
  let browser: Browser;
  beforeAll(async () => {
    h = await startRouting({ env: { TWILIO_API_KEY_SID: 'SK' + 'd'.repeat(32), TWILIO_API_KEY_SECRET: 'secret-0123456789', TWILIO_TWIML_APP_SID: 'AP' + 'e'.repeat(32) } });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    await h.close();
  });

  test('the console says plainly that the phone cannot reach Twilio, and status changes still work', async () => {
    await createAgent(h.app.ctx.db, { email: 'offline-phone@example.org', name: 'Olga' });
    const page = await browser.newPage();
    // Block Twilio outright so the test does not depend on this machine's network.
    await page.route(/twilio\.com/, (route) => route.abort());
    await page.goto(`${h.app.baseUrl}/console/`);
    await page.fill('#email', 'offline-phone@example.org');
    await page.fill('#password', 'careline-demo');
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#agent-view:not([hidden])');
    await page.waitForFunction(() => /cannot reach Twilio/.test(document.getElementById('phone-status')!.textContent ?? ''), undefined, { timeout: 20_000 });
    await page.selectOption('#status', 'available');
    await page.waitForFunction(() => document.getElementById('state')!.textContent === 'available');
    await page.close();
  });
});
