import type { Config } from './config';
import type { Db } from './db/client';
import type { Redis } from './db/redis';
import type { Logger } from './log';
import type { TwilioRest } from './telephony/twilio-rest';

/** Time source; tests of calling windows pass a fake one. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** Everything a request handler or job needs, built once per process (see main.ts). */
export interface Context {
  config: Config;
  db: Db;
  /** Commands fail fast (see db/redis.ts); keys carry `redisPrefix` automatically. */
  redis: Redis;
  redisUrl: string;
  redisPrefix: string;
  log: Logger;
  twilio: TwilioRest;
  clock: Clock;
}
