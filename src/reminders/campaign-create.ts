import { DateTime } from 'luxon';
import type { Context } from '../context';
import { pickPhone, type PhoneCandidate } from './phones';

export type CampaignKind = 'refill' | 'appointment';

export interface CampaignOptions {
  readonly kind: CampaignKind;
  readonly name?: string;
  /**
   * refill: remind of prescriptions due within this many hours (default 72);
   * appointment: remind this long before the appointment (default 24; run one campaign per lead, e.g. 48 and 24)
   */
  readonly leadHours?: number;
  /** compute and report, create no reminders */
  readonly dryRun?: boolean;
  readonly windowStart?: string;
  readonly windowEnd?: string;
  readonly quietDays?: number[];
  readonly maxConcurrency?: number;
  readonly maxAttempts?: number;
  /** called as candidates are processed, e.g. for a progress bar */
  readonly onProgress?: (done: number, total: number) => void;
}

export type SkipReason = 'deceased' | 'no_dialable_phone' | 'opted_out' | 'duplicate';

export interface CampaignSummary {
  readonly campaignId: string;
  readonly kind: CampaignKind;
  readonly dryRun: boolean;
  readonly candidates: number;
  readonly created: number;
  readonly skipped: Record<SkipReason, number>;
  /** ids of the reminders created (to enqueue) */
  readonly reminderIds: string[];
}

interface Candidate {
  key: string;
  patient: { id: string; deceased: boolean; preferredLanguage: string; timeZone: string; phones: PhoneCandidate[] };
  prescriptionId?: string;
  appointmentId?: string;
  /** when the reminder may first be dialed */
  notBefore: Date;
}

const OVERDUE_DAYS = 7;
const BATCH = 500;
const patientSelect = { id: true, deceased: true, preferredLanguage: true, timeZone: true, phones: { select: { e164: true, use: true, dialable: true } } } as const;

function day(d: Date): string {
  return DateTime.fromJSDate(d, { zone: 'utc' }).toISODate()!;
}

/** When a prescription runs out: its due date, else last fill plus days supply. */
export function refillDueAt(rx: { nextDueAt: Date | null; lastFilledAt: Date | null; daysSupply: number | null }): Date | null {
  if (rx.nextDueAt) return rx.nextDueAt;
  if (rx.lastFilledAt && rx.daysSupply) return new Date(rx.lastFilledAt.getTime() + rx.daysSupply * 86_400_000);
  return null;
}

async function refillCandidates(ctx: Context, now: Date, leadHours: number): Promise<Candidate[]> {
  const horizon = new Date(now.getTime() + leadHours * 3_600_000);
  const oldest = new Date(now.getTime() - OVERDUE_DAYS * 86_400_000);
  const rxs = await ctx.db.prescription.findMany({
    where: {
      status: 'active',
      OR: [{ nextDueAt: { gte: oldest, lte: horizon } }, { nextDueAt: null, lastFilledAt: { not: null }, daysSupply: { not: null } }],
    },
    select: { id: true, nextDueAt: true, lastFilledAt: true, daysSupply: true, patient: { select: patientSelect } },
    orderBy: { id: 'asc' },
  });
  return rxs.flatMap((rx) => {
    const due = refillDueAt(rx);
    if (!due || due < oldest || due > horizon) return [];
    return [{ key: `refill:${rx.id}:${day(due)}`, patient: rx.patient, prescriptionId: rx.id, notBefore: now }];
  });
}

async function appointmentCandidates(ctx: Context, now: Date, leadHours: number): Promise<Candidate[]> {
  // A daily run with lead L covers appointments starting in (now + L - 24h, now + L]: each
  // appointment meets each lead once, and the key keeps a rerun from doubling it.
  const to = new Date(now.getTime() + leadHours * 3_600_000);
  const from = new Date(Math.max(now.getTime(), to.getTime() - 24 * 3_600_000));
  const appts = await ctx.db.appointment.findMany({
    where: { status: 'booked', start: { gt: from, lte: to } },
    select: { id: true, patient: { select: patientSelect } },
    orderBy: { id: 'asc' },
  });
  return appts.map((a) => ({ key: `appointment:${a.id}:${leadHours}h`, patient: a.patient, appointmentId: a.id, notBefore: now }));
}

/**
 * Creates a campaign and its reminders: refill reminders for prescriptions coming due, or
 * appointment reminders a lead time ahead. Deceased patients, patients without a dialable number
 * and opted-out numbers are skipped; a reminder whose key exists already (an earlier run) is not
 * made twice. The reminders still have to be enqueued (see campaign-launch.ts).
 * @param opts - kind, lead time, window and limits
 */
export async function createCampaign(ctx: Context, opts: CampaignOptions): Promise<CampaignSummary> {
  const now = ctx.clock.now();
  const leadHours = opts.leadHours ?? (opts.kind === 'refill' ? 72 : 24);
  const candidates = opts.kind === 'refill' ? await refillCandidates(ctx, now, leadHours) : await appointmentCandidates(ctx, now, leadHours);
  const campaign = await ctx.db.campaign.create({
    data: {
      kind: opts.kind,
      name: opts.name ?? `${opts.kind} ${DateTime.fromJSDate(now, { zone: ctx.config.PRACTICE_TIME_ZONE }).toISODate()}${opts.kind === 'appointment' ? ` (${leadHours} h)` : ''}`,
      status: opts.dryRun ? 'done' : 'running',
      windowStart: opts.windowStart,
      windowEnd: opts.windowEnd,
      quietDays: opts.quietDays ?? [],
      maxConcurrency: opts.maxConcurrency,
      maxAttempts: opts.maxAttempts,
      leadHours,
      dryRun: opts.dryRun ?? false,
      createdAt: now,
    },
  });
  const optedOut = new Set((await ctx.db.optOut.findMany({ select: { phone: true } })).map((o) => o.phone));
  const existing = new Set(
    (await ctx.db.reminder.findMany({ where: { key: { in: candidates.map((c) => c.key) } }, select: { key: true } })).map((r) => r.key),
  );
  const skipped: Record<SkipReason, number> = { deceased: 0, no_dialable_phone: 0, opted_out: 0, duplicate: 0 };
  const reminderIds: string[] = [];
  let created = 0;
  for (let i = 0; i < candidates.length; i += BATCH) {
    const rows = [];
    for (const c of candidates.slice(i, i + BATCH)) {
      if (existing.has(c.key)) {
        skipped.duplicate++;
        continue;
      }
      existing.add(c.key);
      if (c.patient.deceased) {
        skipped.deceased++;
        continue;
      }
      const pick = pickPhone(c.patient.phones, optedOut);
      if ('skip' in pick) {
        skipped[pick.skip]++;
        continue;
      }
      rows.push({
        key: c.key,
        campaignId: campaign.id,
        patientId: c.patient.id,
        prescriptionId: c.prescriptionId,
        appointmentId: c.appointmentId,
        phone: pick.phone,
        language: c.patient.preferredLanguage === 'es' ? 'es' : 'en',
        timeZone: c.patient.timeZone,
        nextAttemptAt: c.notBefore,
        createdAt: now,
      });
    }
    if (!opts.dryRun && rows.length) {
      // skipDuplicates: a concurrent run that inserted the same key first wins; ours is not made.
      await ctx.db.reminder.createMany({ data: rows, skipDuplicates: true });
      const made = await ctx.db.reminder.findMany({ where: { campaignId: campaign.id, key: { in: rows.map((r) => r.key) } }, select: { id: true } });
      skipped.duplicate += rows.length - made.length;
      reminderIds.push(...made.map((r) => r.id));
      created += made.length;
    } else {
      created += rows.length;
    }
    opts.onProgress?.(Math.min(i + BATCH, candidates.length), candidates.length);
  }
  if (!candidates.length) opts.onProgress?.(0, 0);
  ctx.log.info('campaign created', { campaignId: campaign.id, kind: opts.kind, dryRun: !!opts.dryRun, candidates: candidates.length, created, skipped });
  return { campaignId: campaign.id, kind: opts.kind, dryRun: !!opts.dryRun, candidates: candidates.length, created, skipped, reminderIds };
}
