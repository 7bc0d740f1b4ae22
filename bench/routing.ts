import { randomBytes } from 'node:crypto';
import { loadConfig } from '../src/config';
import { systemClock, type Context } from '../src/context';
import { createDb, type Db } from '../src/db/client';
import { createRedis } from '../src/db/redis';
import { createLogger } from '../src/log';
import { assignWaiting, type Reservation } from '../src/routing/assign';
import { routingConfig } from '../src/routing/config';
import { setAgentState } from '../src/routing/presence';
import { enterQueue } from '../src/routing/queue-entry';
import { createTwilioRest } from '../src/telephony/twilio-rest';
import { freshDatabase, REDIS_URL } from './lib/services';
import { fmt, percentile, table } from './lib/stats';

// Routing: 2,000 agents and 20,000 queued calls shared by two careline instances (two contexts
// with connections of their own to one Redis and one PostgreSQL), both running the assignment
// script at once, as two processes behind a load balancer would.
const AGENTS = Number(process.env.BENCH_AGENTS ?? 2000);
const CALLS = Number(process.env.BENCH_CALLS ?? 20000);
const ROUNDS = 4;
const TRICKLE = 1000;
const QUEUES = ['pharmacy', 'scheduling', 'billing', 'general'] as const;

function instance(db: Db, prefix: string): Context {
  const config = loadConfig({ NODE_ENV: 'production', PUBLIC_BASE_URL: 'http://127.0.0.1:1', DATABASE_URL: 'postgresql://unused', REDIS_URL, TWILIO_AUTH_TOKEN: 'bench', REDIS_PREFIX: prefix });
  return { config, db, redis: createRedis(REDIS_URL, prefix), redisUrl: REDIS_URL, redisPrefix: prefix, log: createLogger('error'), twilio: createTwilioRest(config), clock: systemClock };
}

function skillsFor(i: number): Record<string, number> {
  const s: Record<string, number> = { en: 5, [QUEUES[i % QUEUES.length]]: 4, [QUEUES[(i + 1) % QUEUES.length]]: 2 };
  if (i % 3 === 0) s.es = 5;
  return s;
}

/** Runs the routing benchmark; returns its markdown section. */
export async function benchRouting(): Promise<string> {
  const dbUrl = await freshDatabase('careline_bench_routing');
  const db = createDb(dbUrl, 10);
  const prefix = `careline:bench:${randomBytes(4).toString('hex')}:`;
  const a = instance(db, prefix);
  const b = instance(db, prefix);
  try {
    await db.agent.createMany({ data: Array.from({ length: AGENTS }, (_, i) => ({ email: `bench${i}@example.org`, name: `Agent ${i}`, passwordHash: 'x', roles: ['agent'], skills: skillsFor(i) })) });
    const agentIds = (await db.agent.findMany({ select: { id: true }, orderBy: { email: 'asc' } })).map((r) => r.id);
    routingConfig(a);
    routingConfig(b);
    for (let i = 0; i < CALLS; i += 500) {
      await Promise.all(
        Array.from({ length: Math.min(500, CALLS - i) }, (_, j) => {
          const n = i + j;
          return enterQueue(n % 2 ? a : b, { kind: 'call', id: `bench-${n}`, queue: QUEUES[n % QUEUES.length], language: n % 5 === 0 ? 'es' : 'en', reason: 'operator', requiredSkills: [], verified: false, pop: { ivrPath: [] } });
        }),
      );
    }

    const all: (Reservation & { round: number })[] = [];
    let decisionMs = 0;
    for (let round = 0; round < ROUNDS; round++) {
      // Every agent becomes available (again); both instances assign until no one is left to reserve.
      for (let i = 0; i < agentIds.length; i += 200) {
        await Promise.all(agentIds.slice(i, i + 200).map((id, j) => setAgentState((i + j) % 2 ? a : b, id, 'available', { force: true })));
      }
      const started = performance.now();
      const runner = async (ctx: Context) => {
        for (;;) {
          const got = await assignWaiting(ctx, 30, 50);
          all.push(...got.map((r) => ({ ...r, round })));
          if (!got.length) return;
        }
      };
      await Promise.all([runner(a), runner(b)]);
      decisionMs += performance.now() - started;
    }

    // "Agent available" -> "call reserved", one agent at a time as in service: the agent's status
    // change, then the assignment run it triggers on either instance (the calls are still waiting).
    const latencies: number[] = [];
    for (let i = 0; i < TRICKLE; i++) {
      const ctx = i % 2 ? a : b;
      const started = performance.now();
      await setAgentState(ctx, agentIds[i % agentIds.length], 'available', { force: true });
      const got = await assignWaiting(ctx, 30, 50);
      latencies.push(performance.now() - started);
      all.push(...got.map((r) => ({ ...r, round: ROUNDS + i })));
    }

    const taskIds = all.map((r) => r.taskId);
    const doubleTasks = taskIds.length - new Set(taskIds).size;
    const perRound = new Map<string, number>();
    // An agent may be reserved once per round: more would mean two calls at once.
    const doubleAgents = all.reduce((n, r) => {
      const k = `${r.round}:${r.agentId}`;
      perRound.set(k, (perRound.get(k) ?? 0) + 1);
      return n + (perRound.get(k)! > 1 ? 1 : 0);
    }, 0);
    const perSecond = all.length / (decisionMs / 1000);
    return [
      '## Routing',
      '',
      `${AGENTS} agents (English, a third also Spanish, two queue skills each) and ${CALLS} queued calls in four queues, shared by two instances running the atomic assignment script (one Redis Lua call) against each other. ${ROUNDS} rounds in which every agent becomes available and both instances assign until nobody is left to reserve (decisions per second), then ${TRICKLE} agents becoming available one at a time, each followed by the assignment run it triggers (latency).`,
      '',
      table(['measure', 'result'], [
        ['assignment decisions', all.length],
        ['decisions per second (both instances)', fmt(perSecond, 0)],
        ['"agent available" → "call reserved", p50', `${fmt(percentile(latencies, 50), 2)} ms`],
        ['"agent available" → "call reserved", p99', `${fmt(percentile(latencies, 99), 2)} ms`],
        ['calls reserved twice', doubleTasks],
        ['agents holding two calls', doubleAgents],
      ]),
      '',
    ].join('\n');
  } finally {
    a.redis.disconnect();
    b.redis.disconnect();
    await db.$disconnect();
  }
}

if (require.main === module) {
  benchRouting().then(
    (md) => console.log(md),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
