import { Router } from 'express';
import type { Context } from '../src/context';
import { applyStatusCallback } from '../src/records/call-status';
import { asyncHandler } from './async';
import { parseParams, statusParams } from './params';

/** `POST /webhooks/status`: the status callback of every call, inbound and outbound. */
export function statusRouter(ctx: Context): Router {
  const router = Router();
  router.post(
    '/status',
    asyncHandler(async (req, res) => {
      const p = parseParams(statusParams, req);
      const at = p.Timestamp && !Number.isNaN(Date.parse(p.Timestamp)) ? new Date(p.Timestamp) : ctx.clock.now();
      await applyStatusCallback(ctx, {
        callSid: p.CallSid,
        status: p.CallStatus,
        direction: p.Direction,
        from: p.From,
        to: p.To,
        parentCallSid: p.ParentCallSid,
        accountSid: p.AccountSid,
        durationSec: p.CallDuration,
        answeredBy: p.AnsweredBy,
        at,
      });
      // Twilio ignores the body of a status callback; an empty TwiML document is the polite answer.
      res.type('text/xml').send('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    }),
  );
  return router;
}
