import type { Context } from '../context';
import { Prisma } from '../db/client';
import { addBusinessDays } from '../ivr/business-hours';
import { finalizeCallRecords } from './finalize';

// The shapes of call-record writes, and the database side of the two kinds that record-batch.ts
// applies one at a time (status callbacks, callback tasks). Each is idempotent and independent of
// the order in which it runs relative to other writes, because the record journal
// (record-journal.ts) may apply any of them again, or after writes that happened after it.

/** Twilio's first word about a call (the Voice URL request), as stored. */
export interface CallStart {
  callSid: string;
  from?: string;
  to?: string;
  direction: string;
  accountSid?: string;
  parentCallSid?: string;
  /** when careline heard of the call; defaults to now */
  at?: Date;
}

export interface CallEventInput {
  /** Idempotency key within the call: a retried webhook writes the same key once. */
  key: string;
  type: string;
  name?: string;
  detail?: Record<string, unknown>;
  at?: Date;
}

/** Fields of a call record that the IVR, routing and reminders fill in as the call goes. */
export type CallRecordPatch = Partial<
  Pick<
    Prisma.CallRecordUncheckedUpdateInput,
    | 'language' | 'patientId' | 'verified' | 'intent' | 'ivrEndedAt' | 'queueName' | 'queueEnteredAt' | 'queueExitedAt'
    | 'agentId' | 'agentAnsweredAt' | 'waitSec' | 'handleSec' | 'outcome' | 'disposition' | 'notes' | 'recordingSid'
    | 'recordingUrl' | 'reminderId' | 'answeredBy'
  >
>;

export interface StatusUpdate {
  callSid: string;
  status: string;
  direction?: string;
  from?: string;
  to?: string;
  parentCallSid?: string;
  accountSid?: string;
  durationSec?: number;
  answeredBy?: string;
  at: Date;
}

export interface NewCallbackTask {
  /** Idempotency key: the same key never makes a second task. */
  key: string;
  callSid?: string;
  patientId?: string;
  phone: string;
  language?: string;
  reason: string;
  priority?: number;
  queueName?: string;
  recordingSid?: string;
  recordingUrl?: string;
  /** default: the end of the next business day after `at` */
  dueAt?: Date;
  /** when the task arose; defaults to now */
  at?: Date;
}

// Twilio may deliver status callbacks late, twice or out of order. A status only ever moves a call
// forward: each status has a rank and an update applies only to a row of lower rank, in one
// conditional UPDATE, so a late `ringing` never overwrites `completed`.
const RANK: Record<string, number> = {
  queued: 1,
  initiated: 2,
  ringing: 3,
  'in-progress': 4,
  completed: 5,
  busy: 5,
  'no-answer': 5,
  canceled: 5,
  failed: 5,
};

export const TERMINAL_STATUSES = ['completed', 'busy', 'no-answer', 'canceled', 'failed'];

/** Rank of a Twilio CallStatus; unknown statuses rank 0 and never overwrite anything. */
export function statusRank(status: string): number {
  return RANK[status] ?? 0;
}

function isUniqueViolation(err: unknown): boolean {
  return err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002';
}

/** Twilio's facts about a call never change, so writing them again (in any order) is harmless. */
function twilioFacts(f: { direction?: string; from?: string; to?: string; parentCallSid?: string; accountSid?: string }) {
  const out: Record<string, string> = {};
  for (const k of ['direction', 'from', 'to', 'parentCallSid', 'accountSid'] as const) if (f[k] !== undefined) out[k] = f[k];
  return out;
}

/** The record starts at the earliest moment anyone saw the call, whichever write came first. */
async function startNoLaterThan(ctx: Context, callSid: string, at: Date): Promise<void> {
  await ctx.db.callRecord.updateMany({ where: { callSid, startedAt: { gt: at } }, data: { startedAt: at } });
}

/** The event name (type `agent`) that marks the end of an agent's after-call work on a call. */
export const WRAP_UP_END = 'wrap_up_end';

/** Stores one status callback. Safe twice and in any order. */
export async function storeStatus(ctx: Context, u: StatusUpdate): Promise<void> {
  const rank = statusRank(u.status);
  const terminal = TERMINAL_STATUSES.includes(u.status);
  const facts = twilioFacts(u);
  const startedAt = terminal && u.durationSec !== undefined ? new Date(u.at.getTime() - u.durationSec * 1000) : u.at;
  await ctx.db.callRecord.upsert({
    where: { callSid: u.callSid },
    create: { ...facts, callSid: u.callSid, direction: u.direction ?? 'inbound', startedAt },
    update: facts,
  });
  await startNoLaterThan(ctx, u.callSid, startedAt);
  // Rank only grows, so each of these fields is written by at most one callback.
  const { count: updated } = await ctx.db.callRecord.updateMany({
    where: { callSid: u.callSid, statusRank: { lt: rank } },
    data: {
      status: u.status,
      statusRank: rank,
      ...(u.status === 'in-progress' ? { answeredAt: u.at } : {}),
      ...(terminal ? { endedAt: u.at } : {}),
      ...(u.durationSec !== undefined ? { durationSec: u.durationSec } : {}),
      ...(u.answeredBy ? { answeredBy: u.answeredBy } : {}),
    },
  });
  // A terminal callback may overtake `in-progress`: answered is then still known from the duration.
  if (u.status === 'in-progress' && updated === 0) {
    await ctx.db.callRecord.updateMany({ where: { callSid: u.callSid, answeredAt: null }, data: { answeredAt: u.at } });
  }
  if (updated > 0) {
    await ctx.db.callEvent
      .create({ data: { callSid: u.callSid, key: `status:${u.status}`, type: 'status', name: u.status, at: u.at } })
      .catch((err: unknown) => {
        if (!isUniqueViolation(err)) throw err;
      });
  }
  if (terminal) await finalizeCallRecords(ctx, [u.callSid]);
}

/**
 * Creates a callback task once per key, due by the end of the next business day after it arose.
 * @returns the task (the existing one when the key was seen before)
 */
export async function storeCallbackTask(ctx: Context, t: NewCallbackTask & { at: Date }) {
  const dueAt = t.dueAt ?? (await addBusinessDays(ctx, t.at, 1));
  return ctx.db.callbackTask.upsert({
    where: { key: t.key },
    create: {
      key: t.key,
      callSid: t.callSid,
      patientId: t.patientId,
      phone: t.phone,
      language: t.language ?? 'en',
      reason: t.reason,
      priority: t.priority ?? 0,
      queueName: t.queueName,
      recordingSid: t.recordingSid,
      recordingUrl: t.recordingUrl,
      dueAt,
      createdAt: t.at,
    },
    update: {},
  });
}
