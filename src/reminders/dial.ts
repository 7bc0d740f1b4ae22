import type { Context } from '../context';
import type { Logger } from '../log';
import { startCallRecord } from '../records/call-start';
import { updateCallRecord } from '../records/call-events';
import { flowStartUrl } from '../flow/urls';
import { absoluteUrl } from '../telephony/twiml';
import { isInsideWindow, nextOpening, windowFor, type CallingWindow } from './calling-window';
import { claimAttempt } from './claim';
import { CALLING, CLAIMED, linkCall, releaseAttempt, startCalling } from './attempt-outcome';
import { findUnrecordedCall } from './reconcile';
import { isDialable } from './phones';
import { passDialGate, waitForDialSlot } from './pacing';

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

/** How long a campaign at its live-call cap waits before trying again. */
const CAMPAIGN_BUSY_MS = 2000;
/** A call is only started if the window is still open this long after (it rings inside it). */
const RING_MARGIN_MS = 30_000;

/** The query string every URL of one attempt carries (and the webhooks parse back). */
export function attemptQuery(j: DialJob): string {
  return `reminderId=${encodeURIComponent(j.reminderId)}&attempt=${j.attempt}`;
}

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
 * (claim.ts), waits for its slot under the global pace, and only then asks Twilio for the call,
 * with async answering-machine detection.
 * @param j - reminder id and attempt number
 * @param log - the job's logger
 */
export async function dialReminder(ctx: Context, j: DialJob, log: Logger = ctx.log): Promise<DialResult> {
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

  const claim = await claimAttempt(ctx, {
    reminderId: r.id,
    attempt: j.attempt,
    campaignId: r.campaignId,
    maxConcurrency: r.campaign.maxConcurrency,
    patientId: r.patientId,
    phone: r.phone,
    timeZone: r.timeZone,
  });
  switch (claim.kind) {
    case 'gone':
      return { kind: 'done', reason: 'claimed elsewhere' };
    case 'opted_out':
      return { kind: 'done', reason: 'opted_out' };
    case 'campaign_busy':
      return { kind: 'wait', reason: 'campaign at its live-call cap', realMs: CAMPAIGN_BUSY_MS };
    case 'capped': {
      const next = nextOpening(claim.until, window) ?? claim.until;
      await ctx.db.reminder.updateMany({ where: { id: r.id, status: 'pending' }, data: { nextAttemptAt: next } });
      return waitUntil(ctx, next, 'patient call limit reached');
    }
    case 'claimed':
      break;
  }

  // The pace slot is taken last, so nothing slow (locks, the claim) sits between it and the
  // request to Twilio. The window is checked once more right before the request, with a margin:
  // the call must start and ring inside it.
  await waitForDialSlot(ctx);
  if (!(await startCalling(ctx, j))) return { kind: 'done', reason: 'claim released while pacing' };
  await passDialGate(ctx);
  const at = ctx.clock.now();
  const dialAt = nextDialTime(at, window);
  if (!dialAt || dialAt > at) {
    const retryAt = dialAt ?? opening;
    await releaseAttempt(ctx, j, { from: CALLING, attemptStatus: 'not_placed', reminderStatus: 'pending', outcome: null, retryAt });
    return { kind: 'done', reason: 'window closed while pacing; next attempt enqueued' };
  }

  const q = attemptQuery(j);
  const from = ctx.config.CARELINE_PHONE_NUMBER;
  try {
    const call = await ctx.twilio.calls.create({
      to: r.phone,
      from,
      // A person hears the reminder flow (flows/reminders/<kind>.yaml) in their language.
      url: flowStartUrl(ctx.config, `reminders/${r.campaign.kind}`, { lang: r.language, reminderId: r.id, attempt: String(j.attempt) }),
      method: 'POST',
      statusCallback: absoluteUrl(ctx.config, `/webhooks/status?${q}`),
      statusCallbackMethod: 'POST',
      statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
      // DetectMessageEnd + async: the flow starts at once for a person; for a machine the verdict
      // comes after the greeting's beep, when the short message is left (see amd.ts).
      machineDetection: 'DetectMessageEnd',
      asyncAmd: 'true',
      asyncAmdStatusCallback: absoluteUrl(ctx.config, `/webhooks/reminders/amd?${q}`),
      asyncAmdStatusCallbackMethod: 'POST',
      timeout: 30,
    });
    await ctx.db.reminderAttempt.updateMany({ where: { reminderId: r.id, attempt: j.attempt, callSid: null }, data: { callSid: call.sid } });
    await startCallRecord(ctx, { callSid: call.sid, from, to: r.phone, direction: 'outbound-api' });
    await updateCallRecord(ctx, call.sid, { reminderId: r.id, patientId: r.patientId, language: r.language });
    log.info('reminder call placed', { callSid: call.sid });
    return { kind: 'done', reason: 'dialed' };
  } catch (err) {
    const status = (err as { status?: number }).status;
    const code = (err as { code?: number | string }).code;
    if (status && status >= 400 && status < 500 && status !== 429) {
      // Twilio refused this call (invalid or blocked number): retrying cannot help.
      await releaseAttempt(ctx, j, { from: CALLING, attemptStatus: 'failed', reminderStatus: 'failed', outcome: `dial_rejected_${code ?? status}` });
      log.warn('Twilio refused the reminder call', { status, code });
      return { kind: 'rejected', reason: `Twilio refused the call (${code ?? status})` };
    }
    if (status && status >= 500) {
      // A 5xx does not prove that no call was made (Twilio or a proxy may have made it and still
      // failed the answer): look before retrying, so the patient is never called twice.
      const made = await findUnrecordedCall(ctx, r.phone).catch(() => null);
      if (made === null) {
        log.warn('reminder call outcome unknown after a Twilio error', { status, code });
        return { kind: 'done', reason: 'dial outcome unknown' }; // stays `calling`: the sweep decides
      }
      if (made) {
        await linkCall(ctx, j, made.sid);
        log.warn('Twilio made the reminder call despite an error answer', { status, callSid: made.sid });
        return { kind: 'done', reason: 'dialed' };
      }
    }
    if (status || code === 'ECONNREFUSED') {
      // Twilio refused with 429 or a 5xx and made no call, or was unreachable. The next attempt
      // number takes over after a backoff.
      const retryAt = new Date(ctx.clock.now().getTime() + Math.min(30_000 * 2 ** (j.attempt - 1), 30 * 60_000));
      await releaseAttempt(ctx, j, { from: CALLING, attemptStatus: 'not_placed', reminderStatus: 'pending', outcome: null, retryAt });
      log.warn('reminder call not placed; will retry', { status, code });
      return { kind: 'done', reason: 'not placed; retry scheduled' };
    }
    // A timeout: Twilio may or may not have made the call. The attempt stays `calling`; its status
    // callbacks link it if the call exists, else reconcile.ts releases it after a while.
    log.warn('reminder call outcome unknown', { err: err instanceof Error ? err.message : String(err) });
    return { kind: 'done', reason: 'dial outcome unknown' };
  }
}
