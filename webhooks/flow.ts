import { Router, type Request } from 'express';
import { z } from 'zod';
import type { Context } from '../src/context';
import { continueFlow, startFlow } from '../src/flow/engine';
import type { FlowInput } from '../src/flow/input';
import { startCallRecord } from '../src/records/call-start';
import { asyncHandler } from './async';
import { BadRequest, callParams, parseParams } from './params';

const inputParams = callParams.extend({
  Digits: z.string().max(64).optional(),
  SpeechResult: z.string().max(2000).optional(),
  Confidence: z.string().max(32).optional(),
  RecordingUrl: z.string().max(2048).optional(),
  RecordingSid: z.string().max(64).optional(),
  RecordingDuration: z.string().max(16).optional(),
  DialCallStatus: z.string().max(32).optional(),
});

const stepQuery = z.looseObject({ step: z.coerce.number().int().min(0).max(100_000) });
const startQuery = z.looseObject({
  flow: z.string().regex(/^[a-z0-9][a-z0-9/_-]{0,80}$/, 'must be a flow name'),
  lang: z.enum(['en', 'es']).optional(),
});

function parseQuery<T extends z.ZodType>(schema: T, req: Request): z.infer<T> {
  const r = schema.safeParse(req.query);
  if (!r.success) throw new BadRequest(`malformed flow URL: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return r.data;
}

function toInput(p: z.infer<typeof inputParams>): FlowInput {
  const digits = p.Digits && p.Digits !== 'hangup' ? p.Digits : undefined;
  const confidence = p.Confidence !== undefined ? Number(p.Confidence) : undefined;
  return {
    digits,
    speech: p.SpeechResult?.trim() || undefined,
    confidence: Number.isFinite(confidence) ? confidence : undefined,
    recordingUrl: p.RecordingUrl || undefined,
    recordingSid: p.RecordingSid || undefined,
    recordingDuration: p.RecordingDuration ? Number(p.RecordingDuration) : undefined,
    dialStatus: p.DialCallStatus,
  };
}

/**
 * The flow engine's Twilio URLs:
 * - `POST /webhooks/flow/step?step=N`: every Gather, Record, Dial and Redirect action a flow emits.
 * - `POST /webhooks/flow/start?flow=<name>&lang=<en|es>&<var>=<value>...`: the `Url` of an outbound
 *   call (REST calls.create) that runs a named flow; other query parameters become variables.
 */
export function flowRouter(ctx: Context): Router {
  const router = Router();
  router.post(
    '/flow/step',
    asyncHandler(async (req, res) => {
      const { step } = parseQuery(stepQuery, req);
      const p = parseParams(inputParams, req);
      res.type('text/xml').send(await continueFlow(ctx, p.CallSid, step, toInput(p)));
    }),
  );
  router.post(
    '/flow/start',
    asyncHandler(async (req, res) => {
      const q = parseQuery(startQuery, req);
      const p = parseParams(callParams, req);
      const direction = p.Direction ?? 'outbound-api';
      await startCallRecord(ctx, { callSid: p.CallSid, from: p.From, to: p.To, direction, accountSid: p.AccountSid, parentCallSid: p.ParentCallSid });
      const vars: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.query)) {
        if (k !== 'flow' && k !== 'lang' && /^[A-Za-z][A-Za-z0-9_]{0,40}$/.test(k) && typeof v === 'string') vars[k] = v.slice(0, 200);
      }
      // The other party of an outbound call is the callee.
      const party = direction.startsWith('outbound') ? p.To : p.From;
      res.type('text/xml').send(await startFlow(ctx, { callSid: p.CallSid, flow: q.flow, language: q.lang, vars, from: party, direction }));
    }),
  );
  return router;
}
