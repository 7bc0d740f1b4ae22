import { randomUUID } from 'node:crypto';
import type { Context } from '../context';
import type { Prisma } from '../db/client';
import { finalizeCallRecords } from './finalize';
import { callbackTaskDue, callbackTaskUpsert, statusStatements, TERMINAL_STATUSES, WRAP_UP_END, type CallEventInput, type CallRecordPatch } from './record-store';
import type { RecordWrite } from './record-write';

// Applies call-record writes to PostgreSQL: a batch of journaled writes in a few set-based
// statements instead of several per write, so the record writer keeps up with the webhooks that
// feed it. The one way writes reach PostgreSQL; a single write is a batch of one.

type ColumnType = 'text' | 'int' | 'boolean' | 'timestamptz';

// Every field a patch may set. A field a patch leaves out (or sets to null) is left as it was.
const PATCH_COLUMNS = {
  language: 'text',
  patientId: 'text',
  verified: 'boolean',
  intent: 'text',
  ivrEndedAt: 'timestamptz',
  queueName: 'text',
  queueEnteredAt: 'timestamptz',
  queueExitedAt: 'timestamptz',
  agentId: 'text',
  agentAnsweredAt: 'timestamptz',
  waitSec: 'int',
  handleSec: 'int',
  holdSec: 'int',
  holdCount: 'int',
  outcome: 'text',
  disposition: 'text',
  notes: 'text',
  recordingSid: 'text',
  recordingUrl: 'text',
  reminderId: 'text',
  answeredBy: 'text',
} as const satisfies Record<keyof Required<CallRecordPatch>, ColumnType>;

// Twilio's facts about a call, from its first webhook; they never change.
const FACT_COLUMNS = ['direction', 'from', 'to', 'accountSid', 'parentCallSid'] as const;

/** What a batch does to one call's record: its writes merged in the order they were made. */
interface RecordRow {
  callSid: string;
  /** when the first write was made: the start of a record it creates, or of any announced call */
  at: Date;
  /** Twilio announced the call (its Voice URL request): at least `ringing` */
  ringing: boolean;
  facts: Partial<Record<(typeof FACT_COLUMNS)[number], string>>;
  patch: CallRecordPatch;
}

const q = (name: string) => `"${name}"`;
const utc = (expr: string, type: ColumnType) => (type === 'timestamptz' ? `(${expr} AT TIME ZONE 'UTC')` : expr);
const patchColumns = Object.entries(PATCH_COLUMNS) as [keyof CallRecordPatch, ColumnType][];

// One row per call, as JSON: the records that do not exist yet are created bare, then every row
// updates its record (facts and patch fields where given; an announced call is at least ringing
// and starts no later than it was announced). The update also names its calls in $2, so that the
// planner looks them up by index instead of joining a seq scan of every record.
const ROW_TYPE = [
  `"callSid" text`,
  'at timestamptz',
  'ringing boolean',
  ...FACT_COLUMNS.map((c) => `${q(c)} text`),
  ...patchColumns.map(([c, t]) => `${q(c)} ${t}`),
].join(', ');

const CREATE_RECORDS = `
  INSERT INTO "CallRecord" ("id", "callSid", "direction", "startedAt", "updatedAt")
  SELECT x."id", x."callSid", COALESCE(x."direction", 'inbound'), x.at AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
  FROM jsonb_to_recordset($1::jsonb) AS x("id" text, "callSid" text, "direction" text, at timestamptz)
  ON CONFLICT ("callSid") DO NOTHING`;

const UPDATE_RECORDS = `
  UPDATE "CallRecord" r SET
    ${[...FACT_COLUMNS.map((c) => [c, 'text'] as const), ...patchColumns]
      .map(([c, t]) => `${q(c)} = COALESCE(${utc(`x.${q(c)}`, t)}, r.${q(c)})`)
      .join(',\n    ')},
    "status" = CASE WHEN x.ringing AND r."statusRank" < 3 THEN 'ringing' ELSE r."status" END,
    "statusRank" = CASE WHEN x.ringing AND r."statusRank" < 3 THEN 3 ELSE r."statusRank" END,
    "startedAt" = CASE WHEN x.ringing THEN LEAST(r."startedAt", x.at AT TIME ZONE 'UTC') ELSE r."startedAt" END,
    "updatedAt" = now() AT TIME ZONE 'UTC'
  FROM jsonb_to_recordset($1::jsonb) AS x(${ROW_TYPE})
  WHERE r."callSid" = x."callSid" AND r."callSid" = ANY($2::text[])`;

const INSERT_EVENTS = `
  INSERT INTO "CallEvent" ("id", "callSid", "key", "at", "type", "name", "detail")
  SELECT x."id", x."callSid", x."key", x.at AT TIME ZONE 'UTC', x."type", x."name", x."detail"
  FROM jsonb_to_recordset($1::jsonb) AS x("id" text, "callSid" text, "key" text, at timestamptz, "type" text, "name" text, "detail" jsonb)
  ON CONFLICT ("callSid", "key") DO NOTHING`;

function rowOf(rows: Map<string, RecordRow>, callSid: string, at: Date): RecordRow {
  let row = rows.get(callSid);
  if (!row) rows.set(callSid, (row = { callSid, at, ringing: false, facts: {}, patch: {} }));
  if (at < row.at) row.at = at;
  return row;
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null)) as Partial<T>;
}

/**
 * Applies journaled writes, in order, to PostgreSQL. Idempotent like each write alone: replaying a
 * batch, or part of one, leaves the same rows.
 * @param writes - in the order they were made
 */
export async function applyRecordWrites(ctx: Context, writes: RecordWrite[]): Promise<void> {
  const rows = new Map<string, RecordRow>();
  const events: (CallEventInput & { callSid: string; at: Date })[] = [];
  const finalize = new Set<string>();
  for (const w of writes) {
    if (w.kind === 'start') {
      const row = rowOf(rows, w.call.callSid, w.call.at);
      row.ringing = true;
      Object.assign(row.facts, definedOnly({ direction: w.call.direction, from: w.call.from, to: w.call.to, accountSid: w.call.accountSid, parentCallSid: w.call.parentCallSid }));
    } else if (w.kind === 'call') {
      Object.assign(rowOf(rows, w.callSid, w.at).patch, definedOnly(w.patch));
      for (const e of w.events) events.push({ ...e, callSid: w.callSid });
      if (Object.keys(w.patch).length || w.events.some((e) => e.type === 'agent' && e.name === WRAP_UP_END)) finalize.add(w.callSid);
    } else if (w.kind === 'status' && TERMINAL_STATUSES.includes(w.update.status)) {
      finalize.add(w.update.callSid);
    }
  }
  // Due dates read the business hours, so they are known before the transaction starts.
  const tasks = writes.flatMap((w) => (w.kind === 'callback-task' ? [w.task] : []));
  const due = await Promise.all(tasks.map((t) => callbackTaskDue(ctx, t)));

  // One transaction: one commit (one WAL flush) per batch instead of one per statement.
  // Status callbacks first: a record they create starts when Twilio says the call started, not
  // when a domain write of the same batch was made.
  const statements: Prisma.PrismaPromise<unknown>[] = statusStatements(
    ctx,
    writes.flatMap((w) => (w.kind === 'status' ? [w.update] : [])),
  );
  if (rows.size) {
    const json = JSON.stringify([...rows.values()].map((r) => ({ id: randomUUID(), callSid: r.callSid, at: r.at.toISOString(), ringing: r.ringing, ...r.facts, ...jsonPatch(r.patch) })));
    statements.push(ctx.db.$executeRawUnsafe(CREATE_RECORDS, json), ctx.db.$executeRawUnsafe(UPDATE_RECORDS, json, [...rows.keys()]));
  }
  if (events.length) {
    const json = events.map((e) => ({ id: randomUUID(), callSid: e.callSid, key: e.key, at: e.at.toISOString(), type: e.type, name: e.name ?? null, detail: e.detail ?? null }));
    statements.push(ctx.db.$executeRawUnsafe(INSERT_EVENTS, JSON.stringify(json)));
  }
  tasks.forEach((t, i) => statements.push(callbackTaskUpsert(ctx, t, due[i]!)));
  // Audit entries kept while PostgreSQL was down (audit.ts); their ids make a replay harmless.
  const audits = writes.flatMap((w) => (w.kind === 'audit' ? w.entries : []));
  if (audits.length) statements.push(ctx.db.auditEntry.createMany({ data: audits, skipDuplicates: true }));
  if (finalize.size) statements.push(finalizeCallRecords(ctx, [...finalize]));
  if (statements.length) await ctx.db.$transaction(statements);
}

/** Dates as ISO strings (read back as timestamptz); every other value as it is. */
function jsonPatch(p: CallRecordPatch): Record<string, unknown> {
  return Object.fromEntries(Object.entries(p).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v]));
}
