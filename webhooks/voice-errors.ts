import type { NextFunction, Request, Response } from 'express';
import type { Context } from '../src/context';
import { fallbackTwiml } from '../src/telephony/twiml';
import { BadRequest } from './params';

/**
 * The one error handler of the Twilio surface. A malformed request gets 400 with its reason; any
 * other failure (database or Redis down, a bug) still gives the caller valid TwiML: an apology and
 * a way to a person or voicemail. Never a stack trace.
 */
export function voiceErrorHandler(ctx: Context) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    if (err instanceof BadRequest) {
      ctx.log.warn('rejected webhook: malformed', { path: req.path, reason: err.message });
      res.status(400).type('text/plain').send(err.message);
      return;
    }
    const status = (err as { status?: number }).status;
    if (status && status >= 400 && status < 500) {
      // body-parser: too large, bad encoding, invalid UTF-8
      const reason = (err as { type?: string }).type ?? 'bad request';
      ctx.log.warn('rejected webhook body', { path: req.path, reason });
      res.status(status).type('text/plain').send(`malformed request body: ${reason}`);
      return;
    }
    const callSid = typeof req.body?.CallSid === 'string' ? req.body.CallSid : undefined;
    ctx.log.error('webhook failed; answering fallback TwiML', { callSid, path: req.path, err });
    res.status(200).type('text/xml').send(fallbackTwiml(ctx.config, req.query.lang === 'es' ? 'es' : 'en'));
  };
}
