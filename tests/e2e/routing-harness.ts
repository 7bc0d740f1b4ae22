import http from 'node:http';
import { Redis } from 'ioredis';
import type { AddressInfo } from 'node:net';
import { parseRoutingConfig, useRoutingConfig } from '../../src/routing/config';
import { transferToQueue, type TransferRequest } from '../../src/routing/transfer';
import { getConversation, liveConversations } from '../../src/routing/conversation';
import { getPresence } from '../../src/routing/presence';
import { getTask } from '../../src/routing/task-store';
import { createTwilioRest } from '../../src/telephony/twilio-rest';
import type { Clock } from '../../src/context';
import { TwilioSim, type ClientIncoming, type SimCall } from '../../src/sim';
import { startTestApp, TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, type TestApp } from '../helpers/app';
import type { TestDb } from '../helpers/db';
import type { TestRedis } from '../helpers/redis';
import { createAgent, loginAs, type LoggedIn } from '../helpers/staff';

// End-to-end routing set-up: careline, the local Twilio (its REST API is careline's Twilio), and a
// tiny test-only entry point that hands each inbound call straight to transferToQueue, as the IVR
// does at the end of a flow (the IVR itself is tested on its own; one routing test uses it too).

export const CARELINE_NUMBER = '+15550100000';

/** A routing config with tiny timeouts, for tests. */
export const TEST_ROUTING = `
version: 1
revision: test
ringTimeoutSec: 10
holdMusicUrl: http://music.example/hold.mp3
announceEverySec: 30
escalationTickMs: 50
queues:
  clinical: { displayName: Clinical, avgHandleSec: 120, offerCallbackAfterSec: 0, voicemailAfterSec: 3600 }
  pharmacy: { displayName: Pharmacy, avgHandleSec: 120, offerCallbackAfterSec: 0 }
  general: { displayName: Front desk, avgHandleSec: 120 }
priorityRules: []
workflow:
  filters:
    - name: clinical
      match: { queue: clinical }
      targets:
        - expression: "{required} AND {language}"
          timeout: 30
        - expression: "{required}"
  defaultTargets:
    - expression: "{queue} AND {language}"
`;

export interface Phone {
  agentId: string;
  /** calls offered to this agent's browser phone, in order */
  offered: ClientIncoming[];
}

export interface RoutingHarness {
  app: TestApp;
  /** every careline instance (one, or two sharing PostgreSQL and Redis) */
  apps: TestApp[];
  sim: TwilioSim;
  /** an inbound call that goes straight into a queue */
  call(from: string, t: Omit<TransferRequest, 'callSid' | 'from'>): Promise<SimCall>;
  /** creates an agent and logs them in */
  agent(email: string, skills: Record<string, number>, name?: string, instance?: number): Promise<LoggedIn>;
  /**
   * Registers the agent's browser phone with the local Twilio. `answer`: the console accepts each
   * offered call through the API, as an agent clicking Accept does; `ignore`: it rings out.
   */
  phone(who: LoggedIn, behaviour: 'answer' | 'ignore' | 'reject'): Phone;
  /**
   * The browser phone of an agent using the console: it answers when the server relays the
   * console's Accept (the `accept` live event), as the Voice SDK Device does in production.
   */
  consolePhone(agentId: string): Promise<Phone>;
  setStatus(who: LoggedIn, status: string): Promise<number>;
  close(): Promise<void>;
}

/**
 * Starts careline + the local Twilio with a routing config of the test's own.
 * @param opts - routing YAML (default TEST_ROUTING), a clock, shared database / Redis, two instances, extra env
 */
export async function startRouting(opts: { routing?: string; clock?: Clock; testDb?: TestDb; testRedis?: TestRedis; instances?: 1 | 2; env?: Record<string, string> } = {}): Promise<RoutingHarness> {
  const env = { CARELINE_PHONE_NUMBER: CARELINE_NUMBER, ...opts.env };
  const app = await startTestApp({ clock: opts.clock, testDb: opts.testDb, testRedis: opts.testRedis, env });
  const apps = [app];
  if (opts.instances === 2) apps.push(await startTestApp({ clock: opts.clock, testDb: app.testDb, testRedis: app.testRedis, env }));
  const routing = parseRoutingConfig(opts.routing ?? TEST_ROUTING, 'test-routing.yaml');
  for (const a of apps) useRoutingConfig(a.ctx, routing);
  let turn = 0;
  const transfers = new Map<string, Omit<TransferRequest, 'callSid' | 'from'>>();
  const entry = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const p = new URLSearchParams(body);
      const from = p.get('From') ?? '';
      const t = transfers.get(from);
      if (!t || !req.url?.startsWith('/webhooks/voice')) {
        res.writeHead(404).end();
        return;
      }
      // With two instances, calls enter through each in turn.
      const via = apps[turn++ % apps.length]!;
      transferToQueue(via.ctx, { ...t, callSid: p.get('CallSid') ?? '', from }).then(
        (xml) => res.writeHead(200, { 'Content-Type': 'text/xml' }).end(xml),
        () => res.writeHead(500).end(),
      );
    });
  });
  await new Promise<void>((r) => entry.listen(0, '127.0.0.1', () => r()));
  const sim = new TwilioSim({ baseUrl: `http://127.0.0.1:${(entry.address() as AddressInfo).port}`, accountSid: TEST_ACCOUNT_SID, authToken: TEST_AUTH_TOKEN });
  const rest = await sim.listen();
  for (const a of apps) a.ctx.twilio = createTwilioRest({ ...a.ctx.config, TWILIO_API_URL: rest });
  const pending: Promise<unknown>[] = [];
  const heldTask = async (agentId: string) => {
    const id = (await getPresence(app.ctx, agentId)).taskId;
    return id ? getTask(app.ctx, id) : null;
  };
  const isMonitoring = async (agentId: string) => {
    for (const name of await liveConversations(app.ctx)) if ((await getConversation(app.ctx, name))?.monitor?.supervisorId === agentId) return true;
    return false;
  };
  const subscribers: Redis[] = [];

  const h: RoutingHarness = {
    app,
    apps,
    sim,
    async call(from, t) {
      transfers.set(from, t);
      return sim.inboundCall({ from, to: CARELINE_NUMBER, statusCallback: `${app.baseUrl}/webhooks/status` });
    },
    async agent(email, skills, name = email.split('@')[0]!, instance = 0) {
      await createAgent(app.ctx.db, { email, name, skills });
      return loginAs(apps[instance]!, email);
    },
    phone(who, behaviour) {
      const phone: Phone = { agentId: who.agentId, offered: [] };
      sim.registerClient(`agent_${who.agentId}`, {
        onIncoming: async (incoming) => {
          phone.offered.push(incoming);
          if (behaviour === 'ignore') return void pending.push(incoming.ignore());
          if (behaviour === 'reject') return void pending.push(incoming.reject());
          // The console's Accept button for the task offered (the server marks the agent busy),
          // then the phone answers; a leg for a task already accepted (a callback, a consultation
          // taken) is answered at once.
          const task = await heldTask(who.agentId);
          if (task?.state === 'reserved' && !task.pop.consult) {
            pending.push(who.agent.post(`/api/calls/${task.id}/accept`).set('X-CSRF-Token', who.csrf).then(() => incoming.accept()));
            return;
          }
          pending.push(incoming.accept());
        },
      });
      return phone;
    },
    async consolePhone(agentId) {
      const phone: Phone = { agentId, offered: [] };
      const sub = new Redis(app.ctx.redisUrl);
      subscribers.push(sub);
      sub.on('message', (_channel: string, raw: string) => {
        const e = JSON.parse(raw) as { type: string; taskId?: string };
        if (e.type !== 'accept' && e.type !== 'monitor') return;
        const incoming = phone.offered.filter((o) => o.status === 'ringing').at(-1); // the newest: an older offer may have been withdrawn
        if (incoming) pending.push(incoming.accept());
      });
      await sub.subscribe(`${app.ctx.redisPrefix}live:agent:${agentId}`);
      sim.registerClient(`agent_${agentId}`, {
        onIncoming: async (incoming) => {
          phone.offered.push(incoming);
          // As the console does: a leg for a task this agent already accepted (a callback, a
          // consultation accepted on the page) or a supervisor's monitoring leg is answered at once;
          // a consultation still offered waits for the console's Accept, like any offer.
          const task = await heldTask(agentId);
          if (task?.state === 'connected' || (await isMonitoring(agentId))) pending.push(incoming.accept());
        },
      });
      return phone;
    },
    async setStatus(who, status) {
      const res = await who.agent.put('/api/agents/me/status').set('X-CSRF-Token', who.csrf).send({ status });
      await sim.idle();
      return res.status;
    },
    async close() {
      for (const sub of subscribers) sub.disconnect();
      await Promise.allSettled(pending);
      await sim.close();
      await new Promise<void>((r) => entry.close(() => r()));
      for (const a of apps.slice(1)) await a.close();
      await app.close();
    },
  };
  return h;
}

/**
 * Waits until a condition holds (work the local Twilio does after an HTTP answer, e.g. a phone
 * answering, settles asynchronously). Fails with `what` if it never does.
 */
export async function until(what: string, cond: () => boolean | Promise<boolean>, sim?: TwilioSim): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (sim) await sim.idle();
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`never happened: ${what}`);
}
