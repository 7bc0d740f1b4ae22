import type { NextFunction, Request, RequestHandler, Response } from 'express';

/** Passes a rejected promise to Express's error handler (one error handler per surface). */
export function asyncHandler(fn: (req: Request, res: Response) => Promise<void>): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    fn(req, res).catch(next);
  };
}
