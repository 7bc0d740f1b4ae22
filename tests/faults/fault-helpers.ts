import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { Client } from 'pg';
import { createRedis } from '../../src/db/redis';
import { parseTwiml, type RequestKind, type SimCall } from '../../src/sim';
import { TEST_DATABASE_URL } from '../helpers/env';
import type { TestRedis } from '../helpers/redis';

// The means of injecting faults: a Redis server of the test's own (to kill and restart), a
// PostgreSQL database that stops accepting connections, and the checks every fault test makes on
// what the caller got.

/** A free loopback TCP port. */
export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/**
 * Polls until `check` returns a truthy value: a wait for asynchronous work, not a timed assertion.
 * @param what - named in the error when it never happens
 */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | null | false>, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await check().catch(() => undefined);
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A private `redis-server` (system binary) that the test can kill and start again on the same port. */
export interface PrivateRedis {
  url: string;
  /** SIGKILL, as a crash: no persistence, so it comes back empty */
  kill(): Promise<void>;
  /** starts it again on the same port and waits until it answers */
  start(): Promise<void>;
  /** a TestRedis over this server for startTestApp's `testRedis` option */
  testRedis(prefix: string): TestRedis;
  close(): Promise<void>;
}

/** Starts a private Redis on a free port, without persistence (`--save "" --appendonly no`). */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let proc: ChildProcess | undefined;
  const clients: Array<{ disconnect(): void }> = [];
  const start = async () => {
    const p = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    proc = p;
    await waitFor('redis-server up', async () => {
      const c = createRedis(url);
      c.on('error', () => undefined);
      const ok = await c.ping().then(() => true, () => false);
      c.disconnect();
      return ok;
    });
  };
  const kill = async () => {
    const p = proc;
    proc = undefined;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await exited;
  };
  await start();
  return {
    url,
    kill,
    start,
    testRedis(prefix) {
      const redis = createRedis(url, prefix);
      // ioredis reports every failed reconnect; the test expects them.
      redis.on('error', () => undefined);
      clients.push(redis);
      return { redis, url, prefix, close: async () => redis.disconnect() };
    },
    async close() {
      for (const c of clients) c.disconnect();
      await kill();
    },
  };
}

async function admin<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: TEST_DATABASE_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Stops a test database as a failover would: no new connections, every session terminated. */
export async function stopDatabase(name: string): Promise<void> {
  await admin(async (c) => {
    await c.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS false`);
    await c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
  });
}

/** Lets a stopped test database take connections again. */
export async function startDatabase(name: string): Promise<void> {
  await admin((c) => c.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS true`));
}

// Requests whose answer Twilio executes as TwiML (status and AMD callbacks only need a 2xx).
const TWIML_KINDS = new Set<RequestKind>(['voice', 'action', 'redirect', 'wait', 'dequeue', 'queue-url', 'url']);

/**
 * What every fault test asserts on a call: Twilio saw no application error and no failed callback,
 * and every document careline answered was a 200 that parses as TwiML.
 */
export function expectValidTwiml(call: SimCall): void {
  expect(call.errors).toEqual([]);
  for (const r of call.requests) {
    if (!TWIML_KINDS.has(r.kind)) continue;
    expect({ url: r.url, status: r.status }).toMatchObject({ status: 200 });
    expect(() => parseTwiml(r.body ?? '')).not.toThrow();
  }
}

/** The fallback apology callers hear when a dependency fails (src/telephony/twiml.ts). */
export const APOLOGY = 'We are sorry, we are having trouble right now.';
