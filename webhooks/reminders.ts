import { Router, type Request } from 'express';
import { z } from 'zod';
import type { Context } from '../src/context';
import { handleAmdResult } from '../src/reminders/amd';
import { handleReminderStatus } from '../src/reminders/reminder-status';
import { asyncHandler } from './async';
import { BadRequest, callParams, parseParams, statusParams } from './params';

// Which reminder attempt a call belongs to travels in the query string of the URLs given to
// Twilio at calls.create (part of the signed URL).
const attemptQuery = z.object({
  reminderId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  attempt: z.coerce.number().int().min(1).max(1000),
});

const amdParams = callParams.extend({ AnsweredBy: z.string().min(1).max(32) });

function attemptOf(req: Request) {
  const q = attemptQuery.safeParse(req.query);
  if (!q.success) throw new BadRequest(`malformed reminder URL: ${q.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return q.data;
}

const EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

/**
 * Reminder calls' own callbacks: `POST /webhooks/reminders/status` (status callback of every reminder
 * call; it also keeps the call's record) and `POST /webhooks/reminders/amd` (async AMD verdict).
 */
export function remindersRouter(ctx: Context): Router {
  const router = Router();
  router.post(
    '/reminders/status',
    asyncHandler(async (req, res) => {
      const j = attemptOf(req);
      const p = parseParams(statusParams, req);
      const at = p.Timestamp && !Number.isNaN(Date.parse(p.Timestamp)) ? new Date(p.Timestamp) : ctx.clock.now();
      await handleReminderStatus(ctx, j, {
        callSid: p.CallSid,
        status: p.CallStatus,
        direction: p.Direction,
        from: p.From,
        to: p.To,
        accountSid: p.AccountSid,
        durationSec: p.CallDuration,
        answeredBy: p.AnsweredBy,
        at,
      });
      res.type('text/xml').send(EMPTY);
    }),
  );
  router.post(
    '/reminders/amd',
    asyncHandler(async (req, res) => {
      const j = attemptOf(req);
      const p = parseParams(amdParams, req);
      await handleAmdResult(ctx, j, p.CallSid, p.AnsweredBy);
      res.type('text/xml').send(EMPTY);
    }),
  );
  return router;
}
