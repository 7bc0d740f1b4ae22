import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { Client } from 'pg';

// Real PostgreSQL and Redis, as in the tests; the bench uses a database and key prefix of its own.
export const ROOT = path.resolve(__dirname, '../..');
export const PG_URL = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const AUTH_TOKEN = 'bench-auth-token';
export const ACCOUNT_SID = 'AC' + 'b'.repeat(32);

export function dbUrl(name: string): string {
  const u = new URL(PG_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Drops and re-creates a database, then applies every migration to it. */
export async function freshDatabase(name: string): Promise<string> {
  const admin = new Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = dbUrl(name);
  execFileSync(process.execPath, ['--no-warnings', '--experimental-wasm-modules', '--import', 'tsx', 'src/db/migrate-cli.ts', 'apply'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: url },
    stdio: 'ignore',
  });
  return url;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export interface Proc {
  child: ChildProcess;
  url: string;
  stop(): Promise<void>;
}

/** Waits until GET url answers 200 (or the process dies). */
export async function waitReady(url: string, child: ChildProcess, output: () => string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`process exited:\n${output()}`);
    try {
      if ((await fetch(url)).status === 200) return;
    } catch {
      // not yet listening
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`not ready: ${url}\n${output()}`);
}

/**
 * Starts a careline process (src/main.ts, ROLE=all: the server and the workers, so the record
 * writer's work on what the webhooks journal is measured too) on a free port.
 * @param env - DATABASE_URL, REDIS_PREFIX, ... on top of the bench defaults
 */
export async function startCareline(env: Record<string, string>): Promise<Proc> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let out = '';
  const flags = process.env.BENCH_NODE_FLAGS ? process.env.BENCH_NODE_FLAGS.split(' ') : [];
  // The flags of `npm start` (a larger young generation: webhooks allocate much short-lived garbage).
  const child = spawn(process.execPath, [...flags, '--no-warnings', '--experimental-wasm-modules', '--max-semi-space-size=64', '--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      NODE_ENV: 'production',
      ROLE: 'all',
      PORT: String(port),
      PUBLIC_BASE_URL: url,
      REDIS_URL,
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      LOG_LEVEL: 'error',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (c: Buffer) => (out = (out + c.toString()).slice(-5000)));
  child.stderr?.on('data', (c: Buffer) => (out = (out + c.toString()).slice(-5000)));
  await waitReady(`${url}/healthz`, child, () => out);
  return { child, url, stop: () => stopProcess(child) };
}

export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Resident set size of a process in MiB (Linux /proc). */
export function rssMiB(pid: number): number {
  const status = require('node:fs').readFileSync(`/proc/${pid}/status`, 'utf8') as string;
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

/** CPU time a process has used, in ms (Linux /proc: user + system). */
export function processCpuMs(pid: number): number {
  const stat = require('node:fs').readFileSync(`/proc/${pid}/stat`, 'utf8') as string;
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * (1000 / 100); // clock ticks of 10 ms
}

/** CPU time the whole machine has used (every core, busy states only), in ms. */
export function machineCpuMs(): number {
  const f = (require('node:fs').readFileSync('/proc/stat', 'utf8') as string).split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user, nice, system, irq, softirq, steal
  return (f[0]! + f[1]! + f[2]! + f[5]! + f[6]! + f[7]!) * (1000 / 100);
}
