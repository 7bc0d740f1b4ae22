import type { Context } from '../context';
import type { Logger } from '../log';
import { isInsideWindow, nextOpening, windowFor, type CallingWindow } from './calling-window';
import { claimAttempt, type ClaimTarget } from './claim';
import { CLAIMED, releaseAttempt, startCalling } from './attempt-outcome';
import { takeClaimLease } from './claim-lease';
import { isDialable } from './phones';
import { passDialGate, waitForDialSlot } from './pacing';
import { requestCall } from './place-call';
import { warmUpTwilio } from './twilio-warm-up';

export interface DialJob {
  readonly reminderId: string;
  readonly attempt: number;
}

export type DialResult =
  | { readonly kind: 'done'; readonly reason: string }
  /** a permanent failure (Twilio refused the number): the job fails without retry */
  | { readonly kind: 'rejected'; readonly reason: string }
  /** run the job again later: at `until` on the context's clock, or after `realMs` */
  | { readonly kind: 'wait'; readonly reason: string; readonly until?: Date; readonly realMs: number };

export interface DialOptions {
  /** life of the claim's lease in Redis (claim-lease.ts; tests shorten it) */
  readonly claimLeaseMs?: number;
}

/** How long a campaign at its live-call cap waits before trying again. */
const CAMPAIGN_BUSY_MS = 2000;
/** A call is only started if the window is still open this long after (it rings inside it). */
const RING_MARGIN_MS = 30_000;

// Holidays change a few times a year; one read a minute per process is plenty.
const HOLIDAY_TTL_MS = 60_000;
const holidayCache = new WeakMap<Context, { at: number; dates: Set<string> }>();

/** Practice holidays as dates (they are quiet days for reminders too). */
async function holidays(ctx: Context): Promise<Set<string>> {
  const cached = holidayCache.get(ctx);
  if (cached && Date.now() - cached.at < HOLIDAY_TTL_MS) return cached.dates;
  const rows = await ctx.db.holiday.findMany({ select: { date: true } });
  const dates = new Set(rows.map((h) => h.date.toISOString().slice(0, 10)));
  holidayCache.set(ctx, { at: Date.now(), dates });
  return dates;
}

async function skip(ctx: Context, reminderId: string, status: 'skipped' | 'opted_out', outcome: string): Promise<DialResult> {
  await ctx.db.reminder.updateMany({ where: { id: reminderId, status: 'pending' }, data: { status, outcome } });
  return { kind: 'done', reason: outcome };
}

/** When a call may start: now if the window is open and stays open while it rings, else the next opening. */
function nextDialTime(at: Date, w: CallingWindow): Date | null {
  if (isInsideWindow(at, w) && isInsideWindow(new Date(at.getTime() + RING_MARGIN_MS), w)) return at;
  const opening = nextOpening(at, w);
  if (!opening || opening > at) return opening;
  return nextOpening(new Date(at.getTime() + RING_MARGIN_MS), w);
}

function waitUntil(ctx: Context, until: Date, reason: string): DialResult {
  return { kind: 'wait', reason, until, realMs: Math.max(0, until.getTime() - ctx.clock.now().getTime()) };
}

/**
 * One attempt of one reminder. Re-reads everything and stops when the reminder no longer applies
 * (done, cancelled, patient deceased, appointment moved, number opted out or undialable). Outside
 * the patient's window it waits for the next opening. Then it claims the attempt in PostgreSQL
 * (claim.ts) under a lease (claim-lease.ts), waits for its slot under the global pace, and only
 * then asks Twilio for the call (place-call.ts).
 * @param j - reminder id and attempt number
 * @param log - the job's logger
 * @param opts - claimLeaseMs: the claim's lease life
 */
export async function dialReminder(ctx: Context, j: DialJob, log: Logger = ctx.log, opts: DialOptions = {}): Promise<DialResult> {
  const r = await ctx.db.reminder.findUnique({
    where: { id: j.reminderId },
    include: {
      campaign: true,
      patient: { select: { deceased: true, phones: { select: { e164: true, use: true, dialable: true } } } },
      appointment: { select: { status: true, start: true } },
      prescription: { select: { status: true } },
    },
  });
  if (!r) return { kind: 'done', reason: 'reminder deleted' };
  if (r.status !== 'pending' || r.attempts !== j.attempt - 1) return { kind: 'done', reason: `no longer waiting for attempt ${j.attempt}` };
  if (r.campaign.status !== 'running') return skip(ctx, r.id, 'skipped', `campaign_${r.campaign.status}`);
  if (r.patient.deceased) return skip(ctx, r.id, 'skipped', 'deceased');
  const now = ctx.clock.now();
  if (r.appointment && (r.appointment.status !== 'booked' || r.appointment.start <= now)) return skip(ctx, r.id, 'skipped', 'appointment_changed');
  if (r.prescription && r.prescription.status !== 'active') return skip(ctx, r.id, 'skipped', 'prescription_inactive');
  const stored = r.patient.phones.find((p) => p.e164 === r.phone);
  if (!stored || !isDialable(stored)) return skip(ctx, r.id, 'skipped', 'no_dialable_phone');

  const window: CallingWindow = windowFor(r.campaign, r.timeZone, await holidays(ctx));
  const opening = nextDialTime(now, window);
  if (!opening) return skip(ctx, r.id, 'skipped', 'no_calling_window');
  if (opening > now) {
    await ctx.db.reminder.updateMany({ where: { id: r.id, status: 'pending' }, data: { nextAttemptAt: opening } });
    return waitUntil(ctx, opening, 'outside calling window');
  }

  // Before the claim and the pace slot: a client's first request is slow (twilio-warm-up.ts).
  await warmUpTwilio(ctx);
  // The lease tells the sweep this worker lives while it holds the claim (claim-lease.ts). It
  // ends once the attempt is `calling` or the claim is gone; not awaited, so nothing sits between
  // the moment of dialing and the request.
  const lease = await takeClaimLease(ctx, j, opts.claimLeaseMs);
  try {
    const target = { reminderId: r.id, attempt: j.attempt, campaignId: r.campaignId, maxConcurrency: r.campaign.maxConcurrency, patientId: r.patientId, phone: r.phone, timeZone: r.timeZone };
    const stopped = await claimAndPace(ctx, target, window, opening);
    if (stopped) return stopped;
  } finally {
    void lease.release();
  }
  return requestCall(ctx, { job: j, phone: r.phone, patientId: r.patientId, language: r.language, kind: r.campaign.kind }, log);
}

/**
 * Claims the attempt, waits for its pace slot and passes the last checks, ending with the attempt
 * `calling`: the moment of dialing.
 * @returns why nothing is to be dialed, or undefined when the call is to be requested now
 */
async function claimAndPace(ctx: Context, t: ClaimTarget, window: CallingWindow, opening: Date): Promise<DialResult | undefined> {
  const j: DialJob = { reminderId: t.reminderId, attempt: t.attempt };
  const claim = await claimAttempt(ctx, t);
  switch (claim.kind) {
    case 'gone':
      return { kind: 'done', reason: 'claimed elsewhere' };
    case 'opted_out':
      return { kind: 'done', reason: 'opted_out' };
    case 'campaign_busy':
      return { kind: 'wait', reason: 'campaign at its live-call cap', realMs: CAMPAIGN_BUSY_MS };
    case 'capped': {
      const next = nextOpening(claim.until, window) ?? claim.until;
      await ctx.db.reminder.updateMany({ where: { id: t.reminderId, status: 'pending' }, data: { nextAttemptAt: next } });
      return waitUntil(ctx, next, 'patient call limit reached');
    }
    case 'claimed':
      break;
  }

  // The pace slot is taken last, so nothing slow (locks, the claim) sits between it and the
  // request to Twilio. The window is checked once more right before the request, with a margin:
  // the call must start and ring inside it.
  await waitForDialSlot(ctx);
  const at = ctx.clock.now();
  const dialAt = nextDialTime(at, window);
  if (!dialAt || dialAt > at) {
    await releaseAttempt(ctx, j, { from: CLAIMED, attemptStatus: 'not_placed', reminderStatus: 'pending', outcome: null, retryAt: dialAt ?? opening });
    return { kind: 'done', reason: 'window closed while pacing; next attempt enqueued' };
  }
  // After the wait for the slot: an opt-out (opt-out.ts) or the sweep releasing the claim while it
  // waited ended the attempt, and this conditional update then fails. The gate comes after it, so no
  // database round trip sits between the gate and the request (the gate rarely waits at all).
  if (!(await startCalling(ctx, j))) return { kind: 'done', reason: 'claim ended while pacing (opted out or released)' };
  await passDialGate(ctx);
  return undefined;
}
