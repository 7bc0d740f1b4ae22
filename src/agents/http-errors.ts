import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { z } from 'zod';
import type { Context } from '../context';
import { isDbUnavailable } from '../records/db-unavailable';
import { NotYourCall, TaskConflict } from '../routing/handling';
import { PartyRejected } from '../routing/participants';

/** What staff are told when a request needs PostgreSQL while it is down (the console shows it). */
export const DB_DOWN_REASON = 'The database is unavailable right now, so this cannot be done; try again in a minute. Calls, your status and wrap-up still work.';

/** An error the staff API answers as `{ error }` with its status. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Parses a JSON body with zod; a failure is 400 naming the field.
 * @param schema - what the route accepts
 * @param body - req.body
 */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const result = schema.safeParse(body ?? {});
  if (!result.success) {
    throw new HttpError(400, result.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  }
  return result.data;
}

/** Passes a rejected promise to the staff API's error handler. */
export function route(fn: (req: Request, res: Response) => Promise<void>): RequestHandler {
  return (req, res, next) => {
    fn(req, res).catch(next);
  };
}

/** The one error handler of the staff API: JSON `{ error }` (503 with a plain reason while PostgreSQL is down), never a stack. */
export function apiErrorHandler(ctx: Context) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    // Routing's refusals: the wrong state (409), someone else's call (403), a party it cannot add (400).
    if (err instanceof TaskConflict || err instanceof NotYourCall || err instanceof PartyRejected) {
      res.status(err instanceof TaskConflict ? 409 : err instanceof NotYourCall ? 403 : 400).json({ error: err.message });
      return;
    }
    if (err instanceof HttpError) {
      res.status(err.status).json({ error: err.message });
      return;
    }
    const status = (err as { status?: number }).status;
    if (status && status >= 400 && status < 500) {
      res.status(status).json({ error: (err as { type?: string }).type ?? 'bad request' });
      return;
    }
    if (isDbUnavailable(err)) {
      // Not a bug: an outage. Only what truly needs PostgreSQL gets here (presence, calls and wrap-up do not).
      ctx.log.warn('staff API request needs the database, which is unavailable', { path: req.path, method: req.method });
      res.status(503).set('Retry-After', '30').json({ error: DB_DOWN_REASON });
      return;
    }
    ctx.log.error('staff API request failed', { path: req.path, method: req.method, err });
    res.status(500).json({ error: 'internal error' });
  };
}
