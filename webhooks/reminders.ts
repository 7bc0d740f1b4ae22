import { Router } from 'express';
import { z } from 'zod';
import type { Context } from '../src/context';
import { handleAmdResult } from '../src/reminders/amd';
import { asyncHandler } from './async';
import { BadRequest, callParams, parseParams } from './params';
import { reminderAttemptOf } from './reminder-attempt';

const amdParams = callParams.extend({ AnsweredBy: z.string().min(1).max(32) });

const EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

/**
 * `POST /webhooks/reminders/amd`: the async AMD verdict of a reminder call. (Its status callback is
 * `/webhooks/status` with the attempt in the query string, like every other call's.)
 */
export function remindersRouter(ctx: Context): Router {
  const router = Router();
  router.post(
    '/reminders/amd',
    asyncHandler(async (req, res) => {
      const j = reminderAttemptOf(req);
      if (!j) throw new BadRequest('malformed reminder URL: reminderId and attempt are required');
      const p = parseParams(amdParams, req);
      await handleAmdResult(ctx, j, p.CallSid, p.AnsweredBy);
      res.type('text/xml').send(EMPTY);
    }),
  );
  return router;
}
