import type { NextFunction, Request, Response } from 'express';
import type { Context } from '../src/context';
import { routingConfig } from '../src/routing/config';
import { surfaceFallback, type TwilioSurface } from '../src/telephony/fallbacks';
import { BadRequest } from './params';

// Which kind of document each route answers, for the fallback valid there (see TwilioSurface).
// Every route not named here runs in the call itself: the general fallback.
const SURFACES: Readonly<Record<string, TwilioSurface>> = {
  '/voice': 'new-call',
  '/queue/wait': 'wait',
  // The action of the callback offer's Gather runs inside the waitUrl, with its rules.
  '/queue/key': 'wait',
  // A conference's waitUrl and HoldUrl take only Play, Say, Pause and Redirect.
  '/conference/wait': 'hold',
  '/conference/hold': 'hold',
  '/status': 'callback',
  '/conference/events': 'callback',
  '/conference/participant': 'callback',
  '/agent-call/callback-status': 'callback',
  '/reminders/amd': 'callback',
};

function holdMusic(ctx: Context): string | undefined {
  try {
    return routingConfig(ctx).holdMusicUrl;
  } catch {
    return undefined;
  }
}

/**
 * The one error handler of the Twilio surface. A malformed request gets 400 with its reason; any
 * other failure (database or Redis down, a bug) still gives Twilio a valid document for what it
 * asked: for a call, an apology and a way to a person or voicemail (after the emergency notice
 * for a new caller); in a queue's waitUrl, an apology and `<Leave>`; on hold, more hold; for a
 * status callback, an empty Response. Never a stack trace.
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
    const surface = SURFACES[req.path] ?? 'call';
    ctx.log.error('webhook failed; answering fallback TwiML', { callSid, path: req.path, surface, err });
    const language = req.query.lang === 'es' ? 'es' : 'en';
    res.status(200).type('text/xml').send(surfaceFallback(ctx.config, surface, language, surface === 'hold' ? holdMusic(ctx) : undefined));
  };
}
