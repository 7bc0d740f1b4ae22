import { Router } from 'express';
import type { Context } from '../src/context';
import { applyStatusCallback, TERMINAL_STATUSES } from '../src/records/call-status';
import { callEnded } from '../src/routing/handling';
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
      else {
        await applyStatusCallback(ctx, update);
        // Routing is told too (a caller hanging up on hold); the record is safe whatever happens here.
        if (TERMINAL_STATUSES.includes(update.status)) {
          await callEnded(ctx, update.callSid).catch((err: unknown) => ctx.log.warn('could not end the routing task of a finished call', { callSid: update.callSid, err }));
        }
      }
      // Twilio ignores the body of a status callback; an empty TwiML document is the polite answer.
      res.type('text/xml').send('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    }),
  );
  return router;
}
