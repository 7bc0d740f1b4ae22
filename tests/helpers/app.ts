import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../src/app';
import { loadConfig, type Config } from '../../src/config';
import { systemClock, type Clock, type Context } from '../../src/context';
import { createLogger } from '../../src/log';
import { pendingRecordWrites, startRecordWriter } from '../../src/records/record-journal';
import { createTwilioRest } from '../../src/telephony/twilio-rest';
import { createTestDb, type TestDb } from './db';
import { createTestRedis, type TestRedis } from './redis';
import { waitFor } from './wait';

export const TEST_AUTH_TOKEN = 'test-auth-token-0123456789';
export const TEST_ACCOUNT_SID = 'AC' + 'a'.repeat(32);

export interface TestApp {
  ctx: Context;
  /** careline's PUBLIC_BASE_URL (the test server's own address) */
  baseUrl: string;
  server: http.Server;
  testDb: TestDb;
  testRedis: TestRedis;
  close(): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  clock?: Clock;
  /** reuse a database (e.g. two app instances on one database) */
  testDb?: TestDb;
  testRedis?: TestRedis;
  /** run the record writer, as a deployment does (default true); false to start one in the test */
  recordWriter?: boolean;
}

/**
 * A careline app on an ephemeral loopback port over a database and Redis prefix of its own.
 * PUBLIC_BASE_URL is the server's real address, so signed webhooks verify.
 */
export async function startTestApp(opts: TestAppOptions = {}): Promise<TestApp> {
  const testDb = opts.testDb ?? (await createTestDb());
  const testRedis = opts.testRedis ?? (await createTestRedis());
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const config: Config = loadConfig({
    NODE_ENV: 'test',
    PUBLIC_BASE_URL: baseUrl,
    DATABASE_URL: testDb.url,
    REDIS_URL: testRedis.url,
    TWILIO_ACCOUNT_SID: TEST_ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
    ...opts.env,
  });
  const ctx: Context = {
    config,
    db: testDb.db,
    redis: testRedis.redis,
    redisUrl: testRedis.url,
    redisPrefix: testRedis.prefix,
    log: createLogger(process.env.TEST_LOG_LEVEL ?? 'error', 'json'),
    twilio: createTwilioRest(config),
    clock: opts.clock ?? systemClock,
  };
  server.on('request', createApp(ctx));
  const writer = opts.recordWriter === false ? undefined : await startRecordWriter(ctx);
  return {
    ctx,
    baseUrl,
    server,
    testDb,
    testRedis,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await writer?.close();
      if (!opts.testDb) await testDb.drop();
      if (!opts.testRedis) await testRedis.close();
    },
  };
}

/**
 * Waits until every call-record write made so far is in PostgreSQL: webhooks journal their writes
 * and the record writer applies them moments later.
 */
export async function recordsWritten(app: { ctx: Context }): Promise<void> {
  await waitFor('call-record writes applied', async () => (await pendingRecordWrites(app.ctx)) === 0);
}
