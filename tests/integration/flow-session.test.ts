import type { Context } from '../../src/context';
import { loadSession, SESSION_TTL_SECONDS, withCallSession, type CallSession } from '../../src/flow/session';
import { createTestRedis, type TestRedis } from '../helpers/redis';
import { newCallSid } from '../helpers/twilio-request';

// The call lock and session: one round trip to lock and read, one to save and release.
let testRedis: TestRedis;
let ctx: Context;
beforeAll(async () => {
  testRedis = await createTestRedis();
  ctx = { redis: testRedis.redis } as Context;
});
afterAll(async () => {
  await testRedis.close();
});

function sessionOf(callSid: string, n: number): CallSession {
  return { callSid, flow: 'f', node: 'a', stack: [], vars: { n }, language: 'en', retries: 0, verified: false, step: 0, seq: 0, direction: 'inbound', ended: false, path: [] };
}

const locked = (callSid: string) => testRedis.redis.exists(`flow:lock:${callSid}`);

test('a turn gets null for a new call, saves with the TTL and releases the lock', async () => {
  const callSid = newCallSid();
  const seen = await withCallSession(ctx, callSid, async (s) => ({ result: s, save: sessionOf(callSid, 1) }));
  expect(seen).toBeNull();
  expect((await loadSession(ctx, callSid))?.vars.n).toBe(1);
  expect(await testRedis.redis.ttl(`flow:session:${callSid}`)).toBeGreaterThan(SESSION_TTL_SECONDS - 5);
  expect(await locked(callSid)).toBe(0);
  const again = await withCallSession(ctx, callSid, async (s) => ({ result: s?.vars.n }));
  expect(again).toBe(1);
  expect(await locked(callSid)).toBe(0);
});

test('a turn that throws releases the lock and stores nothing', async () => {
  const callSid = newCallSid();
  await expect(withCallSession(ctx, callSid, async () => { throw new Error('boom'); })).rejects.toThrow('boom');
  expect(await locked(callSid)).toBe(0);
  expect(await loadSession(ctx, callSid)).toBeNull();
});

test('concurrent turns of one call never interleave', async () => {
  const callSid = newCallSid();
  const turn = () =>
    withCallSession(ctx, callSid, async (s) => {
      const n = Number(s?.vars.n ?? 0);
      await new Promise((r) => setTimeout(r, 20));
      return { result: n, save: sessionOf(callSid, n + 1) };
    });
  const seen = await Promise.all([turn(), turn(), turn(), turn()]);
  expect(seen.sort()).toEqual([0, 1, 2, 3]);
  expect((await loadSession(ctx, callSid))?.vars.n).toBe(4);
});

test('saving never releases a lock another request has taken since ours expired', async () => {
  const callSid = newCallSid();
  await withCallSession(ctx, callSid, async () => {
    // Our lock expired and another request took it.
    await testRedis.redis.set(`flow:lock:${callSid}`, 'other', 'PX', 10_000);
    return { result: null, save: sessionOf(callSid, 1) };
  });
  expect(await testRedis.redis.get(`flow:lock:${callSid}`)).toBe('other');
});
