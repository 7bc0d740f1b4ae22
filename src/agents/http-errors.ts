import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { z } from 'zod';
import type { Context } from '../context';

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

/** The one error handler of the staff API: JSON `{ error }`, never a stack. */
export function apiErrorHandler(ctx: Context) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    if (err instanceof HttpError) {
      res.status(err.status).json({ error: err.message });
      return;
    }
    const status = (err as { status?: number }).status;
    if (status && status >= 400 && status < 500) {
      res.status(status).json({ error: (err as { type?: string }).type ?? 'bad request' });
      return;
    }
    ctx.log.error('staff API request failed', { path: req.path, method: req.method, err });
    res.status(500).json({ error: 'internal error' });
  };
}
