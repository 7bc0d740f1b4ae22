import type { Context } from '../context';
import { localDayStart, nextLocalDay } from './calling-window';

/** TCPA healthcare exemption: at most one reminder call a day and three a week per patient. */
export const MAX_CALLS_PER_DAY = 1;
export const MAX_CALLS_PER_WEEK = 3;

export interface ClaimTarget {
  readonly reminderId: string;
  readonly attempt: number;
  readonly campaignId: string;
  readonly maxConcurrency: number;
  readonly patientId: string;
  readonly phone: string;
  readonly timeZone: string;
}

export type Claim =
  | { readonly kind: 'claimed'; readonly attemptId: string }
  /** another worker claimed it, or it no longer waits for this attempt */
  | { readonly kind: 'gone' }
  | { readonly kind: 'opted_out' }
  /** the campaign has maxConcurrency calls live */
  | { readonly kind: 'campaign_busy' }
  /** the patient had their calls for the day or the week; not before `until` */
  | { readonly kind: 'capped'; readonly until: Date };

/**
 * Claims one attempt of a reminder in PostgreSQL before Twilio is called: the one place that makes a
 * reminder dialed at most once per attempt, whatever the workers, crashes or Redis do. In one
 * transaction, under advisory locks on the patient and then the campaign (always in that order, so
 * two claims never deadlock): re-checks opt-out and the patient's per-day / per-week limit, then
 * (holding the campaign lock as briefly as possible) the campaign's live-call cap, and moves the
 * reminder from `pending` at attempt N-1 to `dialing` at attempt N with a conditional UPDATE and
 * inserts the attempt row (unique reminderId + attempt).
 */
export async function claimAttempt(ctx: Context, t: ClaimTarget): Promise<Claim> {
  return ctx.db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`reminder-patient:${t.patientId}`}))`;
    const current = await tx.reminder.findUnique({ where: { id: t.reminderId }, select: { status: true, attempts: true } });
    if (current?.status !== 'pending' || current.attempts !== t.attempt - 1) return { kind: 'gone' } as const;
    if ((await tx.optOut.count({ where: { phone: t.phone } })) > 0) {
      await tx.reminder.updateMany({ where: { id: t.reminderId, status: 'pending' }, data: { status: 'opted_out', outcome: 'opted_out' } });
      return { kind: 'opted_out' } as const;
    }

    const now = ctx.clock.now();
    const today = localDayStart(now, t.timeZone);
    const weekStart = localDayStart(now, t.timeZone, 6);
    // Every placed call counts, answered or not; an attempt known never to have reached Twilio does not.
    const recent = await tx.reminderAttempt.findMany({
      where: { reminder: { patientId: t.patientId }, status: { not: 'not_placed' }, createdAt: { gte: weekStart } },
      select: { createdAt: true },
      orderBy: { createdAt: 'asc' },
    });
    const todays = recent.filter((a) => a.createdAt >= today).length;
    if (todays >= MAX_CALLS_PER_DAY || recent.length >= MAX_CALLS_PER_WEEK) {
      let until = nextLocalDay(now, t.timeZone);
      if (recent.length >= MAX_CALLS_PER_WEEK) {
        // The week frees up the day the oldest counted call leaves the 7-day span.
        const oldest = recent[recent.length - MAX_CALLS_PER_WEEK]!.createdAt;
        const freed = localDayStart(oldest, t.timeZone, -7);
        if (freed > until) until = freed;
      }
      return { kind: 'capped', until } as const;
    }

    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`reminder-campaign:${t.campaignId}`}))`;
    const live = await tx.reminder.count({ where: { campaignId: t.campaignId, status: 'dialing' } });
    if (live >= t.maxConcurrency) return { kind: 'campaign_busy' } as const;
    // Conditional: an opt-out or a cancellation committed meanwhile (they take no lock) wins.
    const { count } = await tx.reminder.updateMany({
      where: { id: t.reminderId, status: 'pending', attempts: t.attempt - 1 },
      data: { status: 'dialing', attempts: t.attempt },
    });
    if (!count) return { kind: 'gone' } as const;
    const row = await tx.reminderAttempt.create({ data: { reminderId: t.reminderId, attempt: t.attempt, status: 'dialing', createdAt: now } });
    return { kind: 'claimed', attemptId: row.id } as const;
  });
}
