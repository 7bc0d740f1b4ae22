import type { Server } from 'node:http';
import { createApp } from './app';
import { loadConfig, type Config } from './config';
import { systemClock, type Context } from './context';
import { createDb } from './db/client';
import { startEmbeddedPostgres, startEmbeddedRedis, type Embedded } from './db/embedded';
import { applyMigrations } from './db/migrate';
import { createRedis } from './db/redis';
import { seedDemo } from './db/seed';
import { logger, type Logger } from './log';
import { createTwilioRest } from './telephony/twilio-rest';
import { startWorkers, type Worker } from './workers';

export interface Runtime {
  ctx: Context;
  server?: Server;
  workers: Worker[];
  stop(): Promise<void>;
}

/**
 * Starts careline: embedded PostgreSQL / Redis when their URLs are unset, pending migrations,
 * demo data when asked, then the HTTP server and/or workers as the ROLE says.
 * @param config - parsed environment
 */
export async function startRuntime(config: Config = loadConfig()): Promise<Runtime> {
  const log = logger;
  const embedded: Embedded[] = [];
  let databaseUrl = config.DATABASE_URL;
  if (!databaseUrl) {
    const pg = await startEmbeddedPostgres(config.DATA_DIR, config.DATABASE_POOL_SIZE + 5);
    embedded.push(pg);
    databaseUrl = pg.url;
    log.info('DATABASE_URL is not set: using embedded PostgreSQL (PGlite)', { dataDir: config.DATA_DIR });
  }
  let redisUrl = config.REDIS_URL;
  if (!redisUrl) {
    const r = await startEmbeddedRedis(config.DATA_DIR, log);
    embedded.push(r);
    redisUrl = r.url;
  }
  const applied = await applyMigrations(databaseUrl);
  if (applied.length) log.info('applied database migrations', { applied });

  const ctx: Context = {
    config,
    db: createDb(databaseUrl, config.DATABASE_POOL_SIZE),
    redis: createRedis(redisUrl, config.REDIS_PREFIX),
    redisUrl,
    redisPrefix: config.REDIS_PREFIX,
    log,
    twilio: createTwilioRest(config),
    clock: systemClock,
  };
  if (config.SEED_DEMO === 'true') {
    await seedDemo(ctx);
  }

  // Workers before the listener: once careline answers /healthz it is fully up.
  const workers = config.ROLE !== 'server' ? await startWorkers(ctx) : [];
  let server: Server | undefined;
  if (config.ROLE !== 'worker') {
    const app = createApp(ctx);
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(config.PORT, () => resolve(s));
    });
    log.info(`careline listening on ${config.publicBaseUrl}`, { port: config.PORT });
  }

  return {
    ctx,
    server,
    workers,
    // Graceful shutdown: HTTP first, then workers, then PostgreSQL, then Redis.
    async stop() {
      if (server) {
        // Finish in-flight webhooks; idle keep-alive connections would otherwise hold close() open.
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const force = setTimeout(() => server.closeAllConnections(), 5000);
        await closed;
        clearTimeout(force);
      }
      for (const w of workers) await closeWorker(w, log);
      await ctx.db.$disconnect();
      ctx.redis.disconnect();
      for (const e of embedded.reverse()) await e.stop();
    },
  };
}

const WORKER_CLOSE_MS = 5_000;

/**
 * Closes a worker, giving up after a while so that one stuck connection cannot hold shutdown forever.
 * @param ms - how long to wait
 */
export async function closeWorker(w: Worker, log: Logger, ms = WORKER_CLOSE_MS): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), ms)));
  const outcome = await Promise.race([w.close().then(() => 'closed' as const), late]);
  clearTimeout(timer);
  if (outcome === 'late') log.warn('worker did not close in time; shutting down without it', { worker: w.name });
}
