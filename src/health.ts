import type { Context } from './context';

export interface Health {
  ok: boolean;
  postgres: 'up' | 'down';
  redis: 'up' | 'down';
}

async function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Asks PostgreSQL and Redis whether they answer (within 2 s each). */
export async function checkHealth(ctx: Context): Promise<Health> {
  const [pg, redis] = await Promise.allSettled([within(ctx.db.$queryRaw`SELECT 1`, 2000), within(ctx.redis.ping(), 2000)]);
  const postgres = pg.status === 'fulfilled' ? 'up' : 'down';
  const r = redis.status === 'fulfilled' ? 'up' : 'down';
  return { ok: postgres === 'up' && r === 'up', postgres, redis: r };
}
