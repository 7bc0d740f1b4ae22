import type { NextFunction, Request, Response } from 'express';
import twilio from 'twilio';
import type { Context } from '../src/context';

/**
 * Rejects any request whose X-Twilio-Signature does not match, checked with the twilio library
 * against the configured public URL (never one rebuilt from X-Forwarded-* headers).
 */
export function verifyTwilioSignature(ctx: Context) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const signature = req.header('x-twilio-signature');
    const url = ctx.config.publicBaseUrl + req.originalUrl;
    const params = (req.body ?? {}) as Record<string, string>;
    if (!signature || !twilio.validateRequest(ctx.config.TWILIO_AUTH_TOKEN, signature, url, params)) {
      ctx.log.warn('rejected webhook: invalid Twilio signature', { path: req.path, hasSignature: Boolean(signature) });
      res.status(403).type('text/plain').send('Forbidden: invalid Twilio signature');
      return;
    }
    next();
  };
}
