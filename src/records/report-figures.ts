import { DateTime } from 'luxon';

// The report's figures, computed from plain rows so that the definitions (README, "Report
// figures") live in one place and are unit-tested apart from the database.

/** One customer call as the report reads it (agent legs are not calls of their own). */
export interface ReportCall {
  direction: string;
  startedAt: Date;
  queueEnteredAt: Date | null;
  agentAnsweredAt: Date | null;
  endedAt: Date | null;
  agentId: string | null;
  intent: string | null;
  queueName: string | null;
  waitSec: number | null;
  handleSec: number | null;
  outcome: string | null;
  /** seconds the caller was on hold (null: never held) */
  holdSec?: number | null;
  /** times the caller was put on hold (null: never held) */
  holdCount?: number | null;
  /** the call has a completed transfer (agent event `transfer`, result completed, warm or cold) */
  transferred?: boolean;
  /** distinct parties on the call, supervisors excluded (see report.ts, conferenceFacts) */
  participants?: number;
}

export interface ReportTask {
  id: string;
  reason: string;
  queueName: string | null;
  status: string;
  createdAt: Date;
  dueAt: Date;
  completedAt: Date | null;
}

export interface ReportReminder {
  campaignId: string;
  campaignName: string;
  campaignKind: string;
  status: string;
  outcome: string | null;
  attemptsInRange: number;
}

export interface FigureOptions {
  /** service-level threshold T, seconds */
  thresholdSec: number;
  /** abandons with a wait under this many seconds are short abandons */
  shortAbandonSec: number;
  /** time zone of the hour buckets */
  tz: string;
  /** "now", for overdue callback tasks */
  now: Date;
}

const round1 = (x: number) => Math.round(x * 10) / 10;
const pct = (num: number, den: number) => (den === 0 ? null : round1((100 * num) / den));
const mean = (xs: number[]) => (xs.length === 0 ? null : round1(xs.reduce((a, b) => a + b, 0) / xs.length));
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

const isQueued = (c: ReportCall) => c.direction === 'inbound' && c.queueEnteredAt !== null;
const isAnswered = (c: ReportCall) => isQueued(c) && c.agentAnsweredAt !== null;
const isAbandonedAny = (c: ReportCall) => isQueued(c) && c.agentAnsweredAt === null && c.outcome === 'abandoned';
const isShortAbandon = (c: ReportCall, o: FigureOptions) => isAbandonedAny(c) && (c.waitSec ?? 0) < o.shortAbandonSec;
const isAbandoned = (c: ReportCall, o: FigureOptions) => isAbandonedAny(c) && !isShortAbandon(c, o);
const DEFLECTED = new Set(['voicemail', 'callback']);
const isDeflected = (c: ReportCall) => isQueued(c) && c.agentAnsweredAt === null && DEFLECTED.has(c.outcome ?? '');
const isHeld = (c: ReportCall) => (c.holdCount ?? 0) > 0 || (c.holdSec ?? 0) > 0;

/** Hold, transfer and conference figures of a set of answered calls (README, "Report figures"). */
export interface ConferenceFigures {
  /** seconds: mean holdSec of answered calls (a call never held counts 0) */
  averageHoldSec: number | null;
  /** answered calls the caller was put on hold in */
  held: number;
  /** %: held / answered */
  heldPct: number | null;
  /** answered calls with at least one completed transfer (warm or cold) */
  transferred: number;
  /** %: transferred / answered */
  transferRatePct: number | null;
  /** mean distinct parties per answered call: caller + agents + outside parties + interpreters */
  averageParticipants: number | null;
}

function conferenceFigures(answered: ReportCall[]): ConferenceFigures {
  const held = answered.filter(isHeld).length;
  const transferred = answered.filter((c) => c.transferred === true).length;
  return {
    averageHoldSec: mean(answered.map((c) => c.holdSec ?? 0)),
    held,
    heldPct: pct(held, answered.length),
    transferred,
    transferRatePct: pct(transferred, answered.length),
    // Without event facts an answered call had the caller and one agent.
    averageParticipants: mean(answered.map((c) => c.participants ?? 2)),
  };
}

export interface QueueFigures extends ConferenceFigures {
  /** inbound customer calls */
  inbound: number;
  /** outbound customer calls (reminders, callbacks placed by careline) */
  outbound: number;
  /** inbound calls that entered an agent queue */
  queued: number;
  /** queued calls less short abandons */
  offered: number;
  answered: number;
  answeredWithinThreshold: number;
  abandoned: number;
  abandonedAfterThreshold: number;
  shortAbandoned: number;
  /** queued calls that left the queue for voicemail or a callback */
  deflected: number;
  selfServed: number;
  /** %: answered within T / (answered + abandoned after T) */
  serviceLevelPct: number | null;
  /** seconds: mean wait of answered calls */
  averageSpeedOfAnswerSec: number | null;
  /** %: abandoned / offered */
  abandonmentRatePct: number | null;
  /** seconds: mean handle time (talk + wrap-up) of answered calls */
  averageHandleTimeSec: number | null;
  /** %: self-served / inbound */
  selfServiceRatePct: number | null;
}

/**
 * The headline queue figures of a set of calls.
 * @param calls - customer calls that started in the report's range
 */
export function queueFigures(calls: ReportCall[], o: FigureOptions): QueueFigures {
  const inbound = calls.filter((c) => c.direction === 'inbound');
  const queued = inbound.filter(isQueued);
  const answered = queued.filter(isAnswered);
  const abandoned = queued.filter((c) => isAbandoned(c, o));
  const shortAbandoned = queued.filter((c) => isShortAbandon(c, o)).length;
  const answeredWithin = answered.filter((c) => (c.waitSec ?? 0) <= o.thresholdSec).length;
  const abandonedAfter = abandoned.filter((c) => (c.waitSec ?? 0) > o.thresholdSec).length;
  const offered = queued.length - shortAbandoned;
  const selfServed = inbound.filter((c) => c.outcome === 'self_served').length;
  return {
    inbound: inbound.length,
    outbound: calls.length - inbound.length,
    queued: queued.length,
    offered,
    answered: answered.length,
    answeredWithinThreshold: answeredWithin,
    abandoned: abandoned.length,
    abandonedAfterThreshold: abandonedAfter,
    shortAbandoned,
    deflected: queued.filter(isDeflected).length,
    selfServed,
    serviceLevelPct: pct(answeredWithin, answered.length + abandonedAfter),
    averageSpeedOfAnswerSec: mean(answered.map((c) => c.waitSec ?? 0)),
    abandonmentRatePct: pct(abandoned.length, offered),
    averageHandleTimeSec: mean(answered.filter((c) => c.handleSec !== null).map((c) => c.handleSec as number)),
    selfServiceRatePct: pct(selfServed, inbound.length),
    ...conferenceFigures(answered),
  };
}

export interface HourBucket {
  /** local hour of day, 0-23 */
  hour: number;
  inbound: number;
  outbound: number;
  answered: number;
  abandoned: number;
}

/**
 * Calls by the local hour of day in which they started (summed over the days of the range).
 */
export function callsPerHour(calls: ReportCall[], o: FigureOptions): HourBucket[] {
  const buckets: HourBucket[] = Array.from({ length: 24 }, (_, hour) => ({ hour, inbound: 0, outbound: 0, answered: 0, abandoned: 0 }));
  for (const c of calls) {
    const b = buckets[DateTime.fromJSDate(c.startedAt, { zone: o.tz }).hour];
    if (c.direction === 'inbound') b.inbound++;
    else b.outbound++;
    if (isAnswered(c)) b.answered++;
    if (isAbandoned(c, o)) b.abandoned++;
  }
  return buckets;
}

export interface IntentFigures {
  intent: string;
  calls: number;
  selfServed: number;
  /** %: self-served / calls with this intent */
  selfServiceRatePct: number | null;
  answered: number;
  abandoned: number;
  deflected: number;
}

/** Inbound calls per intent ('none' when the IVR never learned one), with the self-service rate. */
export function intentFigures(calls: ReportCall[], o: FigureOptions): IntentFigures[] {
  const by = new Map<string, ReportCall[]>();
  for (const c of calls.filter((x) => x.direction === 'inbound')) {
    const k = c.intent ?? 'none';
    by.set(k, [...(by.get(k) ?? []), c]);
  }
  return [...by.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([intent, cs]) => {
      const selfServed = cs.filter((c) => c.outcome === 'self_served').length;
      return {
        intent,
        calls: cs.length,
        selfServed,
        selfServiceRatePct: pct(selfServed, cs.length),
        answered: cs.filter(isAnswered).length,
        abandoned: cs.filter((c) => isAbandoned(c, o)).length,
        deflected: cs.filter(isDeflected).length,
      };
    });
}

export interface AgentFigures extends ConferenceFigures {
  agentId: string;
  name: string;
  answered: number;
  /** seconds: mean wait of the calls this agent answered */
  averageSpeedOfAnswerSec: number | null;
  averageHandleTimeSec: number | null;
  totalHandleSec: number;
}

/**
 * Figures per agent over the calls each answered (the record's agent: after a cold transfer to
 * another agent, the one who took it); hold, transfer and participants are those calls' own.
 */
export function agentFigures(calls: ReportCall[], names: Map<string, string>): AgentFigures[] {
  const by = new Map<string, ReportCall[]>();
  for (const c of calls.filter((x) => isAnswered(x) && x.agentId)) by.set(c.agentId as string, [...(by.get(c.agentId as string) ?? []), c]);
  return [...by.entries()]
    .map(([agentId, cs]) => {
      const handles = cs.filter((c) => c.handleSec !== null).map((c) => c.handleSec as number);
      return {
        agentId,
        name: names.get(agentId) ?? agentId,
        answered: cs.length,
        averageSpeedOfAnswerSec: mean(cs.map((c) => c.waitSec ?? 0)),
        averageHandleTimeSec: mean(handles),
        totalHandleSec: sum(handles),
        ...conferenceFigures(cs),
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

export interface CallbackFigures {
  created: number;
  open: number;
  done: number;
  cancelled: number;
  doneWithinSla: number;
  doneLate: number;
  /** open or assigned, and past due */
  overdue: number;
  /** %: done within SLA / (done + overdue) */
  slaMetPct: number | null;
  tasks: Array<ReportTask & { overdue: boolean; late: boolean }>;
}

/**
 * Callback tasks created in the range and their one-business-day SLA (the task's dueAt, set when
 * it was created).
 */
export function callbackFigures(tasks: ReportTask[], o: FigureOptions): CallbackFigures {
  const isOpen = (t: ReportTask) => t.status === 'open' || t.status === 'assigned';
  const isDone = (t: ReportTask) => t.status === 'done';
  const rows = tasks.map((t) => ({
    ...t,
    overdue: isOpen(t) && t.dueAt.getTime() < o.now.getTime(),
    late: isDone(t) && t.completedAt !== null && t.completedAt.getTime() > t.dueAt.getTime(),
  }));
  const done = rows.filter(isDone);
  const doneLate = done.filter((t) => t.late).length;
  const overdue = rows.filter((t) => t.overdue).length;
  return {
    created: rows.length,
    open: rows.filter(isOpen).length,
    done: done.length,
    cancelled: rows.filter((t) => t.status === 'cancelled').length,
    doneWithinSla: done.length - doneLate,
    doneLate,
    overdue,
    slaMetPct: pct(done.length - doneLate, done.length + overdue),
    tasks: rows.sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id)),
  };
}

export interface CampaignFigures {
  campaignId: string;
  name: string;
  kind: string;
  reminders: number;
  attempts: number;
  /** reminders by outcome (the reminder's outcome, else its status) */
  outcomes: Record<string, number>;
}

/** Reminder outcomes per campaign, over reminders with an attempt in the range. */
export function campaignFigures(reminders: ReportReminder[]): CampaignFigures[] {
  const by = new Map<string, CampaignFigures>();
  for (const r of reminders) {
    const f = by.get(r.campaignId) ?? { campaignId: r.campaignId, name: r.campaignName, kind: r.campaignKind, reminders: 0, attempts: 0, outcomes: {} };
    f.reminders++;
    f.attempts += r.attemptsInRange;
    const k = r.outcome ?? r.status;
    f.outcomes[k] = (f.outcomes[k] ?? 0) + 1;
    by.set(r.campaignId, f);
  }
  return [...by.values()].sort((a, b) => a.name.localeCompare(b.name));
}
