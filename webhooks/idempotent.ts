import { createHash } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Context } from '../src/context';
import { redisIsDown } from '../src/db/redis';

// Twilio retries a webhook with the very same URL and parameters. The first answer is kept for ten
// minutes and replayed, so a retry gets the same TwiML and causes no second side effect. Flows put
// a step counter in every action URL, so a caller pressing the same key twice is two requests.
const TTL_SECONDS = 600;
const PENDING = 'pending';
const WAIT_MS = 50;
const MAX_WAIT_MS = 5000;

interface Stored {
  status: number;
  type: string;
  body: string;
}

function requestKey(req: Request): string {
  const params = Object.entries((req.body ?? {}) as Record<string, string>).sort(([a], [b]) => a.localeCompare(b));
  return `webhook:${createHash('sha256').update(req.originalUrl).update(JSON.stringify(params)).digest('hex')}`;
}

async function waitForAnswer(ctx: Context, key: string): Promise<Stored | null> {
  for (let waited = 0; waited < MAX_WAIT_MS; waited += WAIT_MS) {
    const value = await ctx.redis.get(key);
    if (value && value !== PENDING) return JSON.parse(value) as Stored;
    if (!value) return null;
    await new Promise((r) => setTimeout(r, WAIT_MS));
  }
  return null;
}

/** Replays the stored answer of a request seen before; stores the answer of a new one. */
export function idempotent(ctx: Context) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const key = requestKey(req);
    // Redis is down: answering at once matters more than deduplicating.
    if (redisIsDown(ctx.redis)) {
      next();
      return;
    }
    let claimed: string | null;
    try {
      claimed = await ctx.redis.set(key, PENDING, 'EX', TTL_SECONDS, 'NX');
    } catch (err) {
      // Redis is down: answering matters more than deduplicating.
      ctx.log.warn('idempotency store unavailable; handling webhook without it', { err });
      next();
      return;
    }
    if (!claimed) {
      const stored = await waitForAnswer(ctx, key).catch(() => null);
      if (stored) {
        res.status(stored.status).type(stored.type).send(stored.body);
        return;
      }
    }
    const send = res.send.bind(res);
    res.send = (body?: unknown) => {
      const status = res.statusCode;
      if (status < 300 && typeof body === 'string') {
        const stored: Stored = { status, type: String(res.get('Content-Type') ?? 'text/xml'), body };
        ctx.redis.set(key, JSON.stringify(stored), 'EX', TTL_SECONDS).catch(() => undefined);
      } else {
        ctx.redis.del(key).catch(() => undefined);
      }
      return send(body);
    };
    next();
  };
}
