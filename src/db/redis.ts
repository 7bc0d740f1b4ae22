import { Redis } from 'ioredis';

/**
 * Opens a Redis connection that fails fast instead of queueing commands forever while Redis is down,
 * so a webhook can fall back within Twilio's timeout.
 * @param url - redis:// URL
 * @param keyPrefix - prepended to every key (one per deployment, or per test file)
 */
export function createRedis(url: string, keyPrefix = ''): Redis {
  return new Redis(url, {
    keyPrefix,
    maxRetriesPerRequest: 1,
    commandTimeout: 1500,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
}

/**
 * A connection for blocking reads (BullMQ workers, the record writer) that waits out a Redis restart.
 * @param keyPrefix - BullMQ takes its own `prefix` instead and must get none here
 */
export function createBlockingRedis(url: string, keyPrefix = ''): Redis {
  return new Redis(url, { keyPrefix, maxRetriesPerRequest: null, retryStrategy: (times) => Math.min(times * 200, 2000) });
}

export type { Redis };

const DOWN_STATES = new Set(['reconnecting', 'close', 'end']);

/**
 * True while the connection is known to be down: every command would only wait out its timeout,
 * so a webhook should take its fallback at once (Twilio gives up on a webhook after 15 s).
 */
export function redisIsDown(redis: Redis): boolean {
  return DOWN_STATES.has(redis.status);
}
