import { randomBytes } from 'node:crypto';
import { createRedis, type Redis } from '../../src/db/redis';
import { TEST_REDIS_URL } from './env';

export interface TestRedis {
  redis: Redis;
  url: string;
  prefix: string;
  close(): Promise<void>;
}

/**
 * A Redis connection with a key prefix of its own for one test file; close() deletes its keys.
 */
export async function createTestRedis(): Promise<TestRedis> {
  const prefix = `careline:test:${randomBytes(5).toString('hex')}:`;
  const redis = createRedis(TEST_REDIS_URL, prefix);
  const raw = createRedis(TEST_REDIS_URL);
  await redis.ping();
  await raw.ping();
  return {
    redis,
    url: TEST_REDIS_URL,
    prefix,
    async close() {
      let cursor = '0';
      do {
        const [next, keys] = await raw.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
        cursor = next;
        if (keys.length) await raw.del(...keys);
      } while (cursor !== '0');
      redis.disconnect();
      raw.disconnect();
    },
  };
}
