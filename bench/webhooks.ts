import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { createDb } from '../src/db/client';
import { seedDemo } from '../src/db/seed';
import { RECORD_JOURNAL } from '../src/records/record-journal';
import { createLogger } from '../src/log';
import { TwilioSim, type SimCall } from '../src/sim';
import { closedLoop, newSid, openLoop, scriptFrom, send, type LoadResult, type ScriptStep } from './lib/replay';
import { Redis } from 'ioredis';
import { ACCOUNT_SID, AUTH_TOKEN, freePort, freshDatabase, machineCpuMs, processCpuMs, REDIS_URL, rssMiB, startCareline, stopProcess, waitReady, type Proc } from './lib/services';
import { fmt, table } from './lib/stats';

// Webhook path: complete simulated inbound calls (language, verify, menu, refill) replayed against
// careline and, as the baseline, against a bare Node HTTP server answering fixed TwiML.
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONCURRENCY = 16;
const RATE = 1000;
const SESSIONS = 5000;

/** Answers each Gather of the inbound flow the way a patient refilling a prescription would. */
async function refillCall(sim: TwilioSim, from: string, dob: string, rx: string): Promise<SimCall> {
  const call = await sim.inboundCall({ from, to: '+15550100000' });
  let seen = 0;
  for (let turn = 0; turn < 12 && call.waitingFor === 'gather'; turn++) {
    const heard = call.heard.slice(seen).map((h) => h.text).join(' ');
    seen = call.heard.length;
    if (/For English, press 1/i.test(heard)) await call.press('1');
    else if (/date of birth/i.test(heard)) await call.press(dob);
    else if (/prescription refills, press 1/i.test(heard)) await call.press('1');
    else if (/prescription number/i.test(heard)) await call.press(`${rx}#`);
    else break;
  }
  await call.hangup();
  return call;
}


export async function recordScript(baseUrl: string, dbUrl: string): Promise<{ script: ScriptStep[]; transcript: string }> {
  const db = createDb(dbUrl, 2);
  const phones = await db.patientPhone.findMany({ where: { dialable: true, patient: { deceased: false, prescriptions: { some: { refillsRemaining: { gt: 0 } } } } }, include: { patient: true } });
  // A caller ID that identifies exactly one patient: the plain verify path (date of birth only).
  const counts = new Map<string, number>();
  for (const p of await db.patientPhone.findMany()) counts.set(p.e164, (counts.get(p.e164) ?? 0) + 1);
  const phone = phones.find((p) => counts.get(p.e164) === 1);
  if (!phone) throw new Error('bench needs a phone that identifies one patient');
  const rx = await db.prescription.findFirstOrThrow({ where: { patientId: phone.patientId, refillsRemaining: { gt: 0 }, status: 'active' } });
  // Plenty of refills, and the practice open around the clock, so every replayed call takes the
  // same path whatever the hour the bench runs at.
  await db.prescription.updateMany({ data: { refillsRemaining: 1_000_000 } });
  await db.holiday.deleteMany();
  await db.businessHours.deleteMany();
  await db.businessHours.createMany({ data: [1, 2, 3, 4, 5, 6, 7].map((dayOfWeek) => ({ dayOfWeek, opens: '00:00', closes: '24:00', timeZone: 'America/New_York' })) });
  const b = phone.patient.birthDate;
  const dob = `${String(b.getUTCMonth() + 1).padStart(2, '0')}${String(b.getUTCDate()).padStart(2, '0')}${b.getUTCFullYear()}`;
  await db.$disconnect();
  const sim = new TwilioSim({ baseUrl, accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
  const call = await refillCall(sim, phone.e164, dob, rx.rxNumber);
  await sim.close();
  if (call.errors.length) throw new Error(`recording call failed: ${JSON.stringify(call.errors)}`);
  return { script: scriptFrom(call.requests, baseUrl), transcript: call.transcript() };
}

async function startBare(): Promise<Proc> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'lib/bare-server.ts')], { env: { ...process.env, PORT: String(port), NODE_OPTIONS: '' }, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = `http://127.0.0.1:${port}`;
  await waitReady(url, child, () => '');
  return { child, url, stop: () => stopProcess(child) };
}

/** Seconds until the record journal is empty (every journaled write is in PostgreSQL). */
async function journalDrained(prefix: string): Promise<number> {
  const redis = new Redis(REDIS_URL, { keyPrefix: prefix });
  const started = Date.now();
  try {
    while ((await redis.xlen(RECORD_JOURNAL)) > 0) {
      if (Date.now() - started > 120_000) throw new Error('the record journal did not drain within 120 s');
      await new Promise((r) => setTimeout(r, 50));
    }
    return (Date.now() - started) / 1000;
  } finally {
    redis.disconnect();
  }
}

type Measured = LoadResult & { serverUs?: number; machineUs?: number };

/** Runs a load and adds the CPU it cost per webhook: the server process's, and the whole machine's. */
async function withCpu(server: Pick<Proc, 'child'>, run: () => Promise<LoadResult>): Promise<Measured> {
  const [p0, m0] = [processCpuMs(server.child.pid!), machineCpuMs()];
  const r = await run();
  return { ...r, serverUs: ((processCpuMs(server.child.pid!) - p0) * 1000) / r.requests, machineUs: ((machineCpuMs() - m0) * 1000) / r.requests };
}

function row(name: string, r: Measured): (string | number)[] {
  const us = (v?: number) => (v === undefined ? '' : fmt(v, 0));
  return [name, r.requests, r.errors, fmt(r.perSecond, 0), fmt(r.p50, 2), fmt(r.p99, 2), us(r.serverUs), us(r.machineUs)];
}

/** Runs the webhook and memory benchmarks; returns their markdown section. */
export async function benchWebhooks(): Promise<string> {
  const dbUrl = await freshDatabase('careline_bench_webhooks');
  const seedDb = createDb(dbUrl, 2);
  await seedDemo({ db: seedDb, log: createLogger('error') });
  await seedDb.$disconnect();
  const prefix = `careline:bench:${randomBytes(4).toString('hex')}:`;
  const careline = await startCareline({ DATABASE_URL: dbUrl, REDIS_PREFIX: prefix });
  const bare = await startBare();
  try {
    const { script, transcript } = await recordScript(careline.url, dbUrl);
    if (!/has been requested/i.test(transcript)) throw new Error(`the recorded call did not reach a refill:\n${transcript}`);
    // Warm both servers up before measuring.
    await closedLoop(careline.url, script, AUTH_TOKEN, CONCURRENCY, 2);
    await closedLoop(bare.url, script, AUTH_TOKEN, CONCURRENCY, 1);

    const baseClosed = await withCpu(bare, () => closedLoop(bare.url, script, AUTH_TOKEN, CONCURRENCY, SECONDS));
    const carelineClosed = await withCpu(careline, () => closedLoop(careline.url, script, AUTH_TOKEN, CONCURRENCY, SECONDS));
    const baseOpen = await openLoop(bare.url, script, AUTH_TOKEN, RATE, SECONDS);
    const carelineOpen = await openLoop(careline.url, script, AUTH_TOKEN, RATE, SECONDS);
    // The webhooks journal their call-record writes; the record writer (same process) must have
    // put all of them in PostgreSQL, or the figures above would leave work out.
    const drained = await journalDrained(prefix);
    const recordDb = createDb(dbUrl, 2);
    const records = await recordDb.callRecord.count();
    await recordDb.$disconnect();

    // Memory: 5,000 calls in progress at once (each past its language choice), then RSS.
    const rssBefore = rssMiB(careline.child.pid!);
    const sids = Array.from({ length: SESSIONS }, newSid);
    for (let i = 0; i < sids.length; i += 200) {
      await Promise.all(sids.slice(i, i + 200).map(async (sid) => {
        await send(careline.url, script[0], sid, AUTH_TOKEN);
        await send(careline.url, script[1], sid, AUTH_TOKEN);
      }));
    }
    const rssAfter = rssMiB(careline.child.pid!);

    const ratio = carelineClosed.perSecond / baseClosed.perSecond;
    return [
      '## Webhook path',
      '',
      `A complete inbound call (${script.length} webhooks: greeting, language, date of birth, main menu, refill, Rx number, hang-up, status callback) recorded through the local Twilio, then replayed with fresh CallSids, signed as Twilio signs. Closed loop: ${CONCURRENCY} callers back to back for ${SECONDS} s. Open loop: ${RATE} webhooks/s for ${SECONDS} s.`,
      '',
      table(['run', 'webhooks', 'errors', 'webhooks/s', 'p50 ms', 'p99 ms', 'server CPU µs/webhook', 'machine CPU µs/webhook'], [
        row('baseline (bare Node, fixed TwiML), closed loop', baseClosed),
        row('careline, closed loop', carelineClosed),
        row(`baseline at ${RATE}/s`, baseOpen),
        row(`careline at ${RATE}/s`, carelineOpen),
      ]),
      '',
      `- Throughput: careline ${fmt(carelineClosed.perSecond, 0)}/s = **${fmt(ratio * 100, 0)}%** of the baseline (target ≥ 50%): ${ratio >= 0.5 ? 'met' : 'NOT met'}.`,
      `- CPU per webhook in the closed loop (steadier than throughput on a shared machine): the careline process ${fmt(carelineClosed.serverUs!, 0)} µs against the bare server's ${fmt(baseClosed.serverUs!, 0)} µs; the whole machine (load generator, PostgreSQL and Redis included) ${fmt(carelineClosed.machineUs!, 0)} µs against ${fmt(baseClosed.machineUs!, 0)} µs.`,
      `- p99 at ${RATE} webhooks/s: **${fmt(carelineOpen.p99, 2)} ms** (target < 25 ms): ${carelineOpen.p99 < 25 ? 'met' : 'NOT met'}; achieved ${fmt(carelineOpen.perSecond, 0)}/s.`,
      `- Call records: the record writer, running in the same process, had written every journaled write to PostgreSQL ${fmt(drained, 2)} s after the last webhook (${records} call records).`,
      '',
      '## Memory',
      '',
      `RSS of the careline server process: ${fmt(rssBefore)} MiB before, **${fmt(rssAfter)} MiB** while holding ${SESSIONS} concurrent call sessions (sessions live in Redis, so the process holds none of them).`,
      '',
    ].join('\n');
  } finally {
    await bare.stop();
    await careline.stop();
  }
}

if (require.main === module) {
  benchWebhooks().then(
    (md) => console.log(md),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
