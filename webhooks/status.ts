import { Router } from 'express';
import type { Context } from '../src/context';
import { applyStatusCallback } from '../src/records/call-status';
import { handleReminderStatus } from '../src/reminders/reminder-status';
import { asyncHandler } from './async';
import { parseParams, statusParams, statusUpdateOf } from './params';
import { reminderAttemptOf } from './reminder-attempt';

/**
 * `POST /webhooks/status`: the status callback of every call, inbound and outbound. A reminder call's
 * URL carries its attempt (`?reminderId=&attempt=`), whose outcome is then recorded as well.
 */
export function statusRouter(ctx: Context): Router {
  const router = Router();
  router.post(
    '/status',
    asyncHandler(async (req, res) => {
      const p = parseParams(statusParams, req);
      const update = statusUpdateOf(p, ctx.clock.now());
      const attempt = reminderAttemptOf(req);
      if (attempt) await handleReminderStatus(ctx, attempt, update);
      else await applyStatusCallback(ctx, update);
      // Twilio ignores the body of a status callback; an empty TwiML document is the polite answer.
      res.type('text/xml').send('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    }),
  );
  return router;
}
