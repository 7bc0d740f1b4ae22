import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { createRedis } from '../../src/db/redis';
import { parseTwiml, type RequestKind, type SimCall } from '../../src/sim';
import type { TestRedis } from '../helpers/redis';
import { waitFor } from '../helpers/wait';
export { waitFor } from '../helpers/wait';
export { startDatabase, stopDatabase } from '../helpers/db';

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
