import type { Request } from 'express';
import { z } from 'zod';

// Twilio's webhook parameters that careline reads. Unknown parameters pass through untouched:
// Twilio adds new ones without notice.
const sid = (prefix: string) => z.string().regex(new RegExp(`^${prefix}[A-Za-z0-9]{1,64}$`), `must be a ${prefix}... sid`);

export const callParams = z.looseObject({
  CallSid: sid('CA'),
  AccountSid: z.string().optional(),
  From: z.string().max(64).optional(),
  To: z.string().max(64).optional(),
  CallStatus: z.string().max(32).optional(),
  Direction: z.string().max(32).optional(),
  ParentCallSid: z.string().max(64).optional(),
});
export type CallParams = z.infer<typeof callParams>;

export const statusParams = callParams.extend({
  CallStatus: z.enum(['queued', 'initiated', 'ringing', 'in-progress', 'completed', 'busy', 'no-answer', 'canceled', 'failed']),
  CallDuration: z.coerce.number().int().min(0).optional(),
  Timestamp: z.string().max(64).optional(),
  SequenceNumber: z.coerce.number().int().min(0).optional(),
  AnsweredBy: z.string().max(32).optional(),
});
export type StatusParams = z.infer<typeof statusParams>;

/**
 * A status callback's facts as careline records them; its time is Twilio's `Timestamp` when it is
 * readable (a late callback keeps the moment it describes), else now.
 */
export function statusUpdateOf(p: StatusParams, now: Date) {
  const at = p.Timestamp && !Number.isNaN(Date.parse(p.Timestamp)) ? new Date(p.Timestamp) : now;
  return {
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
  };
}

/** Raised for a malformed webhook; answered 400 with the reason. */
export class BadRequest extends Error {
  readonly status = 400;
}

/**
 * Parses a webhook body with a zod schema; a failure says which parameter is wrong and why.
 * @param schema - the parameters the route needs
 * @param req - the Express request (urlencoded body)
 */
export function parseParams<T extends z.ZodType>(schema: T, req: Request): z.infer<T> {
  const result = schema.safeParse(req.body ?? {});
  if (!result.success) {
    const reason = result.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
    throw new BadRequest(`malformed Twilio request: ${reason}`);
  }
  return result.data;
}
