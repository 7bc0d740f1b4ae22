import { Router } from 'express';
import type { Context } from '../src/context';
import { greetingTwiml } from '../src/ivr/greeting';
import { startCallRecord } from '../src/records/call-start';
import { asyncHandler } from './async';
import { callParams, parseParams } from './params';

/** `POST /webhooks/voice`: the Voice URL of every careline number (inbound calls). */
export function voiceRouter(ctx: Context): Router {
  const router = Router();
  router.post(
    '/voice',
    asyncHandler(async (req, res) => {
      const p = parseParams(callParams, req);
      await startCallRecord(ctx, { callSid: p.CallSid, from: p.From, to: p.To, direction: p.Direction ?? 'inbound', accountSid: p.AccountSid });
      res.type('text/xml').send(greetingTwiml(ctx));
    }),
  );
  return router;
}
