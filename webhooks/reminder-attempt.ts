import type { Request } from 'express';
import { z } from 'zod';
import { BadRequest } from './params';

// Which reminder attempt a call belongs to travels in the query string of the URLs given to
// Twilio at calls.create (part of the signed URL).
const attemptQuery = z.object({
  reminderId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  attempt: z.coerce.number().int().min(1).max(1000),
});

/**
 * The reminder attempt named in a callback URL's query string; undefined when the URL names none.
 * @throws BadRequest when it names one malformed
 */
export function reminderAttemptOf(req: Request): { reminderId: string; attempt: number } | undefined {
  if (req.query.reminderId === undefined && req.query.attempt === undefined) return undefined;
  const q = attemptQuery.safeParse(req.query);
  if (!q.success) throw new BadRequest(`malformed reminder URL: ${q.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return q.data;
}
