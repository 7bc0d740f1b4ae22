import { randomUUID } from 'node:crypto';
import type { Context } from '../context';
import type { Prisma } from '../db/client';
import { addBusinessDays } from '../calendar/business-days';

// The shapes of call-record writes, and the database side of the two kinds with rules of their own
// that record-batch.ts hands over (status callbacks, callback tasks). Each is idempotent and independent of
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
    | 'agentId' | 'agentAnsweredAt' | 'waitSec' | 'handleSec' | 'holdSec' | 'holdCount' | 'outcome' | 'disposition' | 'notes' | 'recordingSid'
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

/** The event name (type `agent`) that marks the end of an agent's after-call work on a call. */
export const WRAP_UP_END = 'wrap_up_end';

// Status callbacks of a batch, as JSON rows (one per call in each round; see statusStatements).
// Updates also name their calls in $2: without it the planner joins a seq scan of every record.
const STATUS_ROW = `id text, "callSid" text, status text, rank int, terminal boolean, at timestamptz, "startedAt" timestamptz,
  "durationSec" int, "answeredBy" text, direction text, "from" text, "to" text, "accountSid" text, "parentCallSid" text, "eventId" text`;

// A call a callback is the first word about gets a bare record, starting when Twilio says it started.
const CREATE_FOR_STATUS = `
  INSERT INTO "CallRecord" ("id", "callSid", "direction", "startedAt", "updatedAt")
  SELECT x.id, x."callSid", COALESCE(x.direction, 'inbound'), x."startedAt" AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
  FROM jsonb_to_recordset($1::jsonb) AS x(${STATUS_ROW})
  ON CONFLICT ("callSid") DO NOTHING`;

// What every callback may write whatever its rank: Twilio's facts (they never change), the
// earliest start anyone saw, and the answer time of an in-progress overtaken by a terminal status.
const FACTS_FOR_STATUS = `
  UPDATE "CallRecord" r SET
    "direction" = COALESCE(x.direction, r."direction"),
    "from" = COALESCE(x."from", r."from"),
    "to" = COALESCE(x."to", r."to"),
    "accountSid" = COALESCE(x."accountSid", r."accountSid"),
    "parentCallSid" = COALESCE(x."parentCallSid", r."parentCallSid"),
    "startedAt" = LEAST(r."startedAt", x."startedAt" AT TIME ZONE 'UTC'),
    "answeredAt" = CASE WHEN x.status = 'in-progress' THEN COALESCE(r."answeredAt", x.at AT TIME ZONE 'UTC') ELSE r."answeredAt" END,
    "updatedAt" = now() AT TIME ZONE 'UTC'
  FROM jsonb_to_recordset($1::jsonb) AS x(${STATUS_ROW})
  WHERE r."callSid" = x."callSid" AND r."callSid" = ANY($2::text[])`;

// Rank only grows, so each of these fields is written by at most one callback; the callback that
// moves the status gets its status event.
const ADVANCE_STATUS = `
  WITH advanced AS (
    UPDATE "CallRecord" r SET
      "status" = x.status,
      "statusRank" = x.rank,
      "answeredAt" = CASE WHEN x.status = 'in-progress' THEN x.at AT TIME ZONE 'UTC' ELSE r."answeredAt" END,
      "endedAt" = CASE WHEN x.terminal THEN x.at AT TIME ZONE 'UTC' ELSE r."endedAt" END,
      "durationSec" = COALESCE(x."durationSec", r."durationSec"),
      "answeredBy" = COALESCE(x."answeredBy", r."answeredBy"),
      "updatedAt" = now() AT TIME ZONE 'UTC'
    FROM jsonb_to_recordset($1::jsonb) AS x(${STATUS_ROW})
    WHERE r."callSid" = x."callSid" AND r."callSid" = ANY($2::text[]) AND r."statusRank" < x.rank
    RETURNING x."eventId", x."callSid", x.status, x.at)
  INSERT INTO "CallEvent" ("id", "callSid", "key", "at", "type", "name")
  SELECT a."eventId", a."callSid", 'status:' || a.status, a.at AT TIME ZONE 'UTC', 'status', a.status FROM advanced a
  ON CONFLICT ("callSid", "key") DO NOTHING`;

/**
 * The statements that store status callbacks, in order: three per round, where a round takes the
 * next callback of each call, so one call's callbacks apply in the order they came (most batches
 * are one round). Safe twice and in any order; the caller finalizes the calls that ended.
 */
export function statusStatements(ctx: Context, updates: StatusUpdate[]): Prisma.PrismaPromise<number>[] {
  const rounds: StatusUpdate[][] = [];
  const seen = new Map<string, number>();
  for (const u of updates) {
    const n = seen.get(u.callSid) ?? 0;
    seen.set(u.callSid, n + 1);
    (rounds[n] ??= []).push(u);
  }
  return rounds.flatMap((round) => {
    const json = JSON.stringify(
      round.map((u) => {
        const terminal = TERMINAL_STATUSES.includes(u.status);
        const startedAt = terminal && u.durationSec !== undefined ? new Date(u.at.getTime() - u.durationSec * 1000) : u.at;
        // Twilio's facts (direction, from, to, ...) only where the callback gave them.
        return { direction: u.direction, from: u.from, to: u.to, accountSid: u.accountSid, parentCallSid: u.parentCallSid, callSid: u.callSid, status: u.status, rank: statusRank(u.status), terminal, at: u.at.toISOString(), startedAt: startedAt.toISOString(), durationSec: u.durationSec ?? null, answeredBy: u.answeredBy ?? null, id: randomUUID(), eventId: randomUUID() };
      }),
    );
    const sids = round.map((u) => u.callSid);
    return [ctx.db.$executeRawUnsafe(CREATE_FOR_STATUS, json), ctx.db.$executeRawUnsafe(FACTS_FOR_STATUS, json, sids), ctx.db.$executeRawUnsafe(ADVANCE_STATUS, json, sids)];
  });
}

/**
 * Creates a callback task once per key, due by the end of the next business day after it arose.
 * @returns the task (the existing one when the key was seen before)
 */
export async function storeCallbackTask(ctx: Context, t: NewCallbackTask & { at: Date }) {
  return callbackTaskUpsert(ctx, t, await callbackTaskDue(ctx, t));
}

/** When a callback task is due: as given, else the end of the next business day after it arose. */
export async function callbackTaskDue(ctx: Context, t: NewCallbackTask & { at: Date }): Promise<Date> {
  return t.dueAt ?? addBusinessDays(ctx, t.at, 1);
}

/** The statement that creates a callback task unless its key exists (run when awaited or in a transaction). */
export function callbackTaskUpsert(ctx: Context, t: NewCallbackTask & { at: Date }, dueAt: Date) {
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
