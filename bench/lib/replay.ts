import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { signRequest } from '../../src/sim/signature';
import type { SimRequest } from '../../src/sim';
import { percentile } from './stats';

/** One webhook of a recorded call, with the CallSid to be swapped per virtual call. */
export interface ScriptStep {
  method: string;
  path: string;
  params: Record<string, string>;
}

/** The webhooks a real simulated call made, in order (status callbacks included). */
export function scriptFrom(requests: readonly SimRequest[], baseUrl: string): ScriptStep[] {
  return requests
    .filter((r) => r.method === 'POST')
    .map((r) => ({ method: r.method, path: r.url.slice(baseUrl.length), params: { ...r.params } }));
}

export function newSid(): string {
  return 'CA' + randomBytes(16).toString('hex');
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });

/** Sends one signed webhook; resolves with its latency in ms (rejects on non-2xx). */
export function send(baseUrl: string, step: ScriptStep, callSid: string, authToken: string): Promise<number> {
  const params = { ...step.params, CallSid: callSid };
  const url = baseUrl + step.path;
  const body = new URLSearchParams(params).toString();
  const signature = signRequest(authToken, url, params);
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method: 'POST',
      agent,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body), 'x-twilio-signature': signature },
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        if ((res.statusCode ?? 500) >= 300) reject(new Error(`HTTP ${res.statusCode} for ${step.path}`));
        else resolve(ms);
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
}

function summarise(latencies: number[], errors: number, seconds: number): LoadResult {
  return { requests: latencies.length, errors, seconds, perSecond: latencies.length / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

/**
 * Closed loop: `concurrency` virtual callers each replay the script back to back for `seconds`.
 * Measures the most webhooks per second the server sustains.
 */
export async function closedLoop(baseUrl: string, script: ScriptStep[], authToken: string, concurrency: number, seconds: number): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  const deadline = Date.now() + seconds * 1000;
  const started = Date.now();
  const caller = async () => {
    while (Date.now() < deadline) {
      const sid = newSid();
      for (const step of script) {
        if (Date.now() >= deadline) break;
        try {
          latencies.push(await send(baseUrl, step, sid, authToken));
        } catch {
          errors++;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, caller));
  return summarise(latencies, errors, (Date.now() - started) / 1000);
}

/**
 * Open loop at a fixed rate: every 1/rate s the next webhook of some virtual call is sent,
 * whether or not earlier ones have answered (as Twilio's traffic arrives). Each virtual call still
 * sends its own webhooks in order; new calls start as needed to keep the rate.
 */
export async function openLoop(baseUrl: string, script: ScriptStep[], authToken: string, rate: number, seconds: number): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  const ready: { sid: string; next: number }[] = [];
  const total = Math.round(rate * seconds);
  const started = process.hrtime.bigint();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = Number(started) / 1e6 + (i * 1000) / rate;
    const wait = due - Number(process.hrtime.bigint()) / 1e6;
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const call = ready.shift() ?? { sid: newSid(), next: 0 };
    const step = script[call.next];
    inFlight.push(
      send(baseUrl, step, call.sid, authToken).then(
        (ms) => {
          latencies.push(ms);
          if (call.next + 1 < script.length) ready.push({ sid: call.sid, next: call.next + 1 });
        },
        () => {
          errors++;
        },
      ),
    );
  }
  await Promise.all(inFlight);
  return summarise(latencies, errors, Number(process.hrtime.bigint() - started) / 1e9);
}
