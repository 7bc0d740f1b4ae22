import { Router } from 'express';
import type { Context } from '../src/context';
import { startFlow } from '../src/flow/engine';
import { flowSet } from '../src/flow/loader';
import { startCallRecord } from '../src/records/call-start';
import { asyncHandler } from './async';
import { callParams, parseParams } from './params';

/** The flow every inbound call starts in (flows/inbound.yaml). */
export const INBOUND_FLOW = 'inbound';

/** `POST /webhooks/voice`: the Voice URL of every careline number (inbound calls) starts the inbound flow. */
export function voiceRouter(ctx: Context): Router {
  // Validates every flow file now: a bad flow stops start-up, not a caller.
  flowSet();
  const router = Router();
  router.post(
    '/voice',
    asyncHandler(async (req, res) => {
      const p = parseParams(callParams, req);
      const direction = p.Direction ?? 'inbound';
      await startCallRecord(ctx, { callSid: p.CallSid, from: p.From, to: p.To, direction, accountSid: p.AccountSid });
      res.type('text/xml').send(await startFlow(ctx, { callSid: p.CallSid, flow: INBOUND_FLOW, from: p.From, direction }));
    }),
  );
  return router;
}
