import request from 'supertest';
import { getPresence, setAgentState } from '../../src/routing/presence';
import { startTestApp, type TestApp } from '../helpers/app';
import { createAgent, loginAs } from '../helpers/staff';

describe('staff login, sessions, CSRF and own status', () => {
  let app: TestApp;
  let tokenApp: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
    tokenApp = await startTestApp({
      testDb: app.testDb,
      testRedis: app.testRedis,
      env: { TWILIO_API_KEY_SID: 'SK' + 'b'.repeat(32), TWILIO_API_KEY_SECRET: 'secret-0123456789', TWILIO_TWIML_APP_SID: 'AP' + 'c'.repeat(32) },
    });
    await createAgent(app.ctx.db, { email: 'ana@example.org', name: 'Ana', skills: { es: 5, en: 4, pharmacy: 3 } });
    await createAgent(app.ctx.db, { email: 'limit@example.org', name: 'Lim' });
    await createAgent(app.ctx.db, { email: 'busy@example.org', name: 'Bea' });
  });
  afterAll(async () => {
    await tokenApp.close();
    await app.close();
  });

  test('login sets an HttpOnly, SameSite=Strict session cookie and returns a CSRF token', async () => {
    const res = await request(app.server).post('/api/auth/login').send({ email: 'ANA@example.org', password: 'careline-demo' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ email: 'ana@example.org', name: 'Ana', roles: ['agent'] });
    expect(res.body.csrfToken).toMatch(/^[\w-]{20,}$/);
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/careline_sid=[\w-]{40,}/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).not.toMatch(/Secure/); // PUBLIC_BASE_URL is http in tests
  });

  test('a wrong password and an unknown email are both 401 with an error', async () => {
    const wrong = await request(app.server).post('/api/auth/login').send({ email: 'ana@example.org', password: 'nope' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toMatch(/wrong email or password/);
    expect(wrong.headers['set-cookie']).toBeUndefined();
    const unknown = await request(app.server).post('/api/auth/login').send({ email: 'ghost@example.org', password: 'careline-demo' });
    expect(unknown.status).toBe(401);
  });

  test('after 5 failures in the window even the right password is refused with 429', async () => {
    for (let i = 0; i < 5; i++) {
      const r = await request(app.server).post('/api/auth/login').send({ email: 'limit@example.org', password: `bad-${i}` });
      expect(r.status).toBe(401);
    }
    const blocked = await request(app.server).post('/api/auth/login').send({ email: 'limit@example.org', password: 'careline-demo' });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
  });

  test('/me needs a session and returns the same CSRF token', async () => {
    expect((await request(app.server).get('/api/auth/me')).status).toBe(401);
    const s = await loginAs(app, 'ana@example.org');
    const me = await s.agent.get('/api/auth/me');
    expect(me.status).toBe(200);
    expect(me.body.csrfToken).toBe(s.csrf);
    expect(me.body.agentId).toBe(s.agentId);
  });

  test('state-changing requests need the X-CSRF-Token of the session', async () => {
    const s = await loginAs(app, 'ana@example.org');
    const none = await s.agent.put('/api/agents/me/status').send({ status: 'available' });
    expect(none.status).toBe(403);
    const forged = await s.agent.put('/api/agents/me/status').set('X-CSRF-Token', 'x'.repeat(s.csrf.length)).send({ status: 'available' });
    expect(forged.status).toBe(403);
    const ok = await s.agent.put('/api/agents/me/status').set('X-CSRF-Token', s.csrf).send({ status: 'available' });
    expect(ok.status).toBe(200);
    const me = await s.agent.get('/api/agents/me');
    expect(me.body).toMatchObject({ state: 'available', skills: { es: 5, en: 4, pharmacy: 3 } });
    const bad = await s.agent.put('/api/agents/me/status').set('X-CSRF-Token', s.csrf).send({ status: 'busy' });
    expect(bad.status).toBe(400);
    await s.agent.put('/api/agents/me/status').set('X-CSRF-Token', s.csrf).send({ status: 'offline' });
  });

  test('an agent holding a call cannot leave it by changing status (409)', async () => {
    const s = await loginAs(app, 'busy@example.org');
    await setAgentState(app.ctx, s.agentId, 'busy', { force: true });
    const res = await s.agent.put('/api/agents/me/status').set('X-CSRF-Token', s.csrf).send({ status: 'break' });
    expect(res.status).toBe(409);
    expect((await s.agent.get('/api/agents/me')).body.state).toBe('busy');
  });

  test('logout ends the session and takes an available agent offline', async () => {
    const s = await loginAs(app, 'ana@example.org');
    await s.agent.put('/api/agents/me/status').set('X-CSRF-Token', s.csrf).send({ status: 'available' });
    expect((await s.agent.post('/api/auth/logout')).status).toBe(403);
    expect((await s.agent.post('/api/auth/logout').set('X-CSRF-Token', s.csrf)).status).toBe(200);
    expect((await s.agent.get('/api/auth/me')).status).toBe(401);
    expect((await getPresence(app.ctx, s.agentId)).state).toBe('offline');
  });

  test('the Voice SDK token is refused plainly when not configured, and bound to the agent with TTL <= 1 h when it is', async () => {
    const s = await loginAs(app, 'ana@example.org');
    const none = await s.agent.get('/api/agents/me/token');
    expect(none.status).toBe(503);
    expect(none.body.error).toMatch(/TWILIO_API_KEY_SID/);

    const t = await loginAs(tokenApp, 'ana@example.org');
    const res = await t.agent.get('/api/agents/me/token');
    expect(res.status).toBe(200);
    const payload = JSON.parse(Buffer.from(String(res.body.token).split('.')[1], 'base64url').toString());
    expect(payload.grants.identity).toBe(`agent_${t.agentId}`);
    expect(payload.grants.voice.incoming.allow).toBe(true);
    expect(payload.exp - payload.iat).toBeLessThanOrEqual(3600);
    expect(res.body.identity).toBe(`agent_${t.agentId}`);
  });
});
