import type { Context } from '../context';
import type { Prisma } from '../db/client';

/** Outcomes this module derives; any other outcome was set by the IVR, routing or reminders and is kept. */
export const DERIVED_OUTCOMES = ['answered', 'abandoned', 'ivr_hangup', 'unanswered', 'completed'] as const;

/**
 * Computes a finished call's derived figures in one statement, from the row alone (plus its
 * wrap-up event), so it gives the same answer however often and in whatever order the writes
 * that feed it arrive. Does nothing while the call has not ended.
 *
 * - waitSec: queue exit (or agent answer, or hang-up while queued) minus queue entry
 * - handleSec: talk + wrap-up = max(end of call, end of wrap-up) minus agent answer; time on hold
 *   (holdSec, written from the conference's hold events) falls inside it and is not subtracted
 * - durationSec: Twilio's CallDuration, else end minus start
 * - ivrEndedAt: when the caller left the IVR (entered a queue or hung up), unless the IVR said
 * - outcome (unless the IVR/routing/reminders set one of their own): answered when an agent
 *   answered, abandoned when the call ended while queued, unanswered for busy / no-answer /
 *   failed / canceled, ivr_hangup for an inbound call that ended in the IVR, completed otherwise.
 *   `transferred` (an IVR hand-off, which older versions wrote as an outcome; a journal may still
 *   hold such writes) is derived again like these: a hand-off is an event, not what happened.
 * @param callSids - the calls
 * @returns the statement, run when awaited (or in a batch's transaction)
 */
export function finalizeCallRecords(ctx: Context, callSids: string[]): Prisma.PrismaPromise<number> {
  return ctx.db.$executeRaw`
    UPDATE "CallRecord" r SET
      "waitSec" = CASE WHEN r."queueEnteredAt" IS NULL THEN r."waitSec"
        ELSE GREATEST(0, ROUND(EXTRACT(EPOCH FROM (COALESCE(r."queueExitedAt", r."agentAnsweredAt", r."endedAt") - r."queueEnteredAt"))))::int END,
      "handleSec" = CASE WHEN r."agentAnsweredAt" IS NULL THEN r."handleSec"
        ELSE GREATEST(0, ROUND(EXTRACT(EPOCH FROM (GREATEST(r."endedAt", (
          SELECT max(e."at") FROM "CallEvent" e WHERE e."callSid" = r."callSid" AND e."type" = 'agent' AND e."name" = 'wrap_up_end'
        )) - r."agentAnsweredAt"))))::int END,
      "durationSec" = COALESCE(r."durationSec", GREATEST(0, ROUND(EXTRACT(EPOCH FROM (r."endedAt" - r."startedAt"))))::int),
      "ivrEndedAt" = CASE WHEN r."direction" = 'inbound' THEN COALESCE(r."ivrEndedAt", r."queueEnteredAt", r."endedAt") ELSE r."ivrEndedAt" END,
      "outcome" = CASE
        WHEN r."outcome" IS NOT NULL AND r."outcome" NOT IN ('answered', 'abandoned', 'ivr_hangup', 'unanswered', 'completed', 'transferred')
          AND NOT (r."outcome" = 'self_served' AND r."queueEnteredAt" IS NOT NULL) THEN r."outcome"
        WHEN r."agentAnsweredAt" IS NOT NULL THEN 'answered'
        WHEN r."queueEnteredAt" IS NOT NULL THEN 'abandoned'
        WHEN r."status" IN ('busy', 'no-answer', 'failed', 'canceled') THEN 'unanswered'
        WHEN r."direction" = 'inbound' THEN 'ivr_hangup'
        ELSE 'completed' END
    WHERE r."callSid" = ANY(${callSids}) AND r."endedAt" IS NOT NULL`;
}
