import { Router } from 'express';
import { z } from 'zod';
import type { Context } from '../src/context';
import { recordCallbackTask } from '../src/records/callback-task-write';
import { VoiceResponse } from '../src/telephony/twiml';
import { asyncHandler } from './async';
import { callParams, parseParams } from './params';

const recordedParams = callParams.extend({
  RecordingUrl: z.string().max(2048).optional(),
  RecordingSid: z.string().max(64).optional(),
});

/** `POST /webhooks/fallback/recorded`: the voicemail left after the fallback apology. */
export function fallbackRouter(ctx: Context): Router {
  const router = Router();
  router.post(
    '/fallback/recorded',
    asyncHandler(async (req, res) => {
      const p = parseParams(recordedParams, req);
      try {
        // Durable: this is the path callers take when PostgreSQL is down; the task is kept and written later.
        await recordCallbackTask(ctx, {
          key: `fallback:${p.CallSid}`,
          callSid: p.CallSid,
          phone: p.From ?? 'unknown',
          reason: 'voicemail',
          recordingSid: p.RecordingSid,
          recordingUrl: p.RecordingUrl,
        });
      } catch (err) {
        // The recording itself stays at Twilio; the log keeps its sid so it can be found.
        ctx.log.error('could not store fallback voicemail', { callSid: p.CallSid, recordingSid: p.RecordingSid, err });
      }
      const r = new VoiceResponse();
      r.say({ voice: 'Polly.Joanna', language: 'en-US' }, 'Thank you. We will call you back. Goodbye.');
      r.hangup();
      res.type('text/xml').send(r.toString());
    }),
  );
  return router;
}
