import { recordsWritten } from '../helpers/app';
import { parseTwiml, type SimCall } from '../../src/sim';
import { postSigned } from '../helpers/twilio-request';
import { CLOSED_AT, OPEN_AT, startIvr, type Ivr } from './ivr-harness';

// Random callers: random keys, speech and silence at every step, plus Twilio-style repeated and
// stale webhooks. Whatever happens, careline answers valid TwiML and never a 5xx.
let ivr: Ivr;
beforeAll(async () => {
  ivr = await startIvr();
});
afterAll(async () => {
  await ivr.close();
});

/** A small deterministic PRNG (mulberry32) so a failure can be replayed from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PHRASES = [
  'español', 'English', 'representative', 'repeat', 'refill', 'appointment', 'nurse', 'pharmacist', 'billing', 'cancel',
  'March 7 1984', '7 de marzo de 1984', 'uno', 'two', 'more times', 'zip code', 'yes', 'no', 'asdf qwerty', '', '¿¿¿', 'x'.repeat(300),
];
const CALLS = 20;
const STEPS = 22;

function assertTwiml(body: string | undefined): void {
  expect(() => parseTwiml(body ?? '')).not.toThrow();
}

async function randomStep(call: SimCall, rnd: () => number, pick: <T>(xs: readonly T[]) => T): Promise<void> {
  switch (call.waitingFor) {
    case 'gather': {
      const r = rnd();
      if (r < 0.3) {
        const keys = Array.from({ length: 1 + Math.floor(rnd() * 9) }, () => pick('0123456789*#'.split(''))).join('');
        await call.press(keys);
        if (call.waitingFor === 'gather' && rnd() < 0.5) await call.silence();
      } else if (r < 0.65) {
        await call.press(pick([ivr.practice.ana.dob, `${ivr.practice.ana.rxRefill}#`, `${ivr.practice.ana.rxEmpty}#`, '1', '1', '2', '2', '3', '4']));
      } else if (r < 0.85 && call.gather?.input.includes('speech')) {
        await call.speak(pick(PHRASES), rnd());
      } else {
        await call.silence();
      }
      return;
    }
    case 'record':
      await call.record({ durationSec: Math.floor(rnd() * 3) * 10, digits: rnd() < 0.5 ? '#' : undefined });
      return;
    case 'dialing':
      await call.silence();
      return;
    case 'bridged':
      await call.bridge!.hangup();
      return;
    default:
      await call.hangup();
  }
}

test('random input and repeated webhooks at every step: always valid TwiML, never a 5xx', async () => {
  const seed = Number(process.env.FUZZ_SEED ?? 20260303);
  const rnd = prng(seed);
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const callers = [ivr.practice.ana.phone, ivr.practice.rosa.phone, ivr.practice.shared.phone, ivr.practice.ghost.phone, '+19175550000', 'anonymous'];
  let requests = 0;
  for (let c = 0; c < CALLS; c++) {
    ivr.clock.at = rnd() < 0.5 ? OPEN_AT : CLOSED_AT;
    // Every other caller is verified first, so the fuzzing reaches the menus behind verification.
    const verified = c % 2 === 0;
    const call = await ivr.call(verified ? ivr.practice.ana.phone : pick(callers));
    if (verified) {
      await call.press(pick(['1', '2']));
      await call.press(ivr.practice.ana.dob);
    }
    for (let s = 0; s < STEPS && !call.ended; s++) {
      await randomStep(call, rnd, pick);
      // Twilio retries: the same request again (identical), or an old step with other digits.
      const flowRequests = call.requests.filter((r) => r.url.includes('/webhooks/flow/'));
      if (flowRequests.length && rnd() < 0.3) {
        const old = pick(flowRequests);
        const u = new URL(old.url);
        const params = rnd() < 0.5 ? old.params : { ...old.params, Digits: pick(['0', '*', '99', '12345678']), SpeechResult: pick(PHRASES) };
        const res = await postSigned(ivr.app, u.pathname + u.search, params as Record<string, string>);
        expect(res.status).toBeLessThan(500);
        expect(res.status).toBe(200);
        assertTwiml(res.text);
        requests++;
      }
    }
    for (const r of call.requests) {
      if (r.kind === 'status') continue;
      requests++;
      expect({ seed, call: c, url: r.url, status: r.status }).toMatchObject({ status: 200 });
      assertTwiml(r.body);
    }
    expect(call.errors.filter((e) => e.kind !== 'callback')).toEqual([]);
    if (!call.ended) await call.hangup();
  }
  expect(requests).toBeGreaterThan(CALLS * 5);
  // The random callers got deep into the flows, not just the greeting.
  await recordsWritten(ivr.app);
  const visited = await ivr.db.callEvent.findMany({ where: { type: 'node' }, distinct: ['name'], select: { name: true } });
  console.log(`fuzz seed ${seed}: ${requests} requests, ${visited.length} distinct nodes`, visited.map((v) => v.name).sort().join(' '));
  expect(visited.length).toBeGreaterThanOrEqual(25);
});
