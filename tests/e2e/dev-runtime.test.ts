import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { TwilioSim } from '../../src/sim';

// `npm run dev` on a fresh machine: no DATABASE_URL, no REDIS_URL. The service must start embedded
// PostgreSQL (PGlite) and a private redis-server, migrate, seed the demo practice, answer /healthz
// and take a call from the local Twilio.
const ROOT = path.resolve(__dirname, '../..');

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function waitForHealth(url: string, child: ChildProcess, output: () => string): Promise<Response> {
  for (let i = 0; i < 240; i++) {
    if (child.exitCode !== null) throw new Error(`careline exited early:\n${output()}`);
    try {
      const res = await fetch(url);
      if (res.status === 200) return res;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`careline never became healthy:\n${output()}`);
}

describe('npm run dev with embedded defaults', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'careline-dev-'));
  let child: ChildProcess;
  let out = '';
  // A step that hangs fails with what careline logged, not with the test's own timeout.
  const within = <T>(what: string, ms: number, p: Promise<T>): Promise<T> =>
    Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} took over ${ms / 1000} s; careline said:\n${out.slice(-4000)}`)), ms).unref())]);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGKILL');
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('starts, seeds, serves /healthz 200, answers a call, and shuts down cleanly', async () => {
    const port = await freePort();
    const env = { ...process.env, NODE_OPTIONS: '', PORT: String(port), DATA_DIR: dataDir, LOG_FORMAT: 'json' } as NodeJS.ProcessEnv;
    for (const k of ['DATABASE_URL', 'REDIS_URL', 'PUBLIC_BASE_URL', 'TWILIO_API_URL', 'TWILIO_AUTH_TOKEN', 'TWILIO_ACCOUNT_SID', 'NODE_ENV']) delete env[k];
    child = spawn('npm', ['run', 'dev'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (out += c.toString()));

    const base = `http://127.0.0.1:${port}`;
    const res = await waitForHealth(`${base}/healthz`, child, () => out);
    expect(await res.json()).toEqual({ ok: true, postgres: 'up', redis: 'up' });
    expect(out).toMatch(/REDIS_URL is not set/);
    expect(out).toMatch(/DATABASE_URL is not set/);
    expect(fs.existsSync(path.join(dataDir, 'pg'))).toBe(true);

    // The development defaults of src/config.ts: the local Twilio signs with them.
    const sim = new TwilioSim({ baseUrl: base, accountSid: 'AC00000000000000000000000000000000', authToken: 'dev-auth-token' });
    const call = await within('the call', 30_000, sim.inboundCall({ from: '+12125550123', to: '+15550100000' }));
    expect(call.errors).toEqual([]);
    expect(call.transcript()).toMatch(/medical emergency/i);
    await within('the hang-up', 15_000, call.hangup());
    await sim.close();

    // SIGTERM to the whole npm process group; 'close' waits for careline itself (it holds the pipes).
    // It shuts down gracefully (HTTP, workers,
    // PostgreSQL, Redis, then the embedded servers).
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    process.kill(-child.pid!, 'SIGTERM');
    await within('the graceful shutdown', 30_000, exited);
    expect(out).toMatch(/shutting down/);
    expect(out).toMatch(/careline stopped/);
    expect(out).not.toMatch(/shutdown failed/);
  }, 120_000);
});
