import type { Context } from '../context';
import {
  agentFigures,
  callbackFigures,
  callsPerHour,
  campaignFigures,
  intentFigures,
  queueFigures,
  type AgentFigures,
  type CallbackFigures,
  type CampaignFigures,
  type FigureOptions,
  type HourBucket,
  type IntentFigures,
  type QueueFigures,
  type ReportCall,
} from './report-figures';
import type { ReportRange } from './report-range';

export interface Report {
  range: { from: string; to: string; tz: string };
  thresholdSec: number;
  shortAbandonSec: number;
  generatedAt: string;
  totals: QueueFigures;
  perHour: HourBucket[];
  perIntent: IntentFigures[];
  perAgent: AgentFigures[];
  callbacks: CallbackFigures;
  campaigns: CampaignFigures[];
}

export interface ReportOptions {
  thresholdSec?: number;
  shortAbandonSec?: number;
}

/** Customer calls only: an agent's leg (a child call) is part of its customer's call. */
const customerCalls = { parentCallSid: null, direction: { not: 'outbound-dial' } } as const;

interface ConferenceFact {
  callSid: string;
  transferred: boolean;
  participants: number;
}

/**
 * Per answered call, from its events in one statement: whether it has a completed transfer (an
 * agent `transfer` event with result completed, warm or cold; the IVR's hand-off is a `transfer`
 * type, not counted) and how many distinct parties were on it: the caller, the agents (the record's
 * agent, every agent an `answered` event names, the target agent of a completed warm transfer:
 * consult legs write no `answered` event), outside parties and interpreters (distinct
 * `participant_added` ids, and the number a warm transfer completed to). Supervisors (type
 * `supervisor`) are not parties. A party added whose line never answered still counts: careline's
 * events do not say who answered.
 */
async function conferenceFacts(ctx: Context, callSids: string[]): Promise<Map<string, Omit<ConferenceFact, 'callSid'>>> {
  if (!callSids.length) return new Map();
  const rows = await ctx.db.$queryRaw<ConferenceFact[]>`
    SELECT r."callSid",
      EXISTS (SELECT 1 FROM "CallEvent" e WHERE e."callSid" = r."callSid" AND e."type" = 'agent' AND e."name" = 'transfer'
        AND e."detail"->>'result' = 'completed') AS "transferred",
      (1
        + (SELECT count(DISTINCT a.id) FROM (
            SELECT r."agentId" AS id
            UNION ALL SELECT e."detail"->>'agentId' FROM "CallEvent" e
              WHERE e."callSid" = r."callSid" AND e."type" = 'agent' AND e."name" = 'answered'
            UNION ALL SELECT e."detail"->>'targetAgent' FROM "CallEvent" e
              WHERE e."callSid" = r."callSid" AND e."type" = 'agent' AND e."name" = 'transfer'
                AND e."detail"->>'mode' = 'warm' AND e."detail"->>'result' = 'completed') a)
        + (SELECT count(DISTINCT e."detail"->>'participantId') FROM "CallEvent" e
            WHERE e."callSid" = r."callSid" AND e."type" = 'agent' AND e."name" = 'participant_added')
        + (SELECT count(*) FROM "CallEvent" e
            WHERE e."callSid" = r."callSid" AND e."type" = 'agent' AND e."name" = 'transfer' AND e."detail"->>'mode' = 'warm'
              AND e."detail"->>'result' = 'completed' AND e."detail"->>'to' = 'number')
      )::int AS "participants"
    FROM "CallRecord" r WHERE r."callSid" = ANY(${callSids})`;
  return new Map(rows.map(({ callSid, ...f }) => [callSid, f]));
}

/**
 * Builds the supervisor report for a period (definitions: README, "Report figures").
 * @param range - period and zone (see report-range.ts)
 */
export async function buildReport(ctx: Context, range: ReportRange, opts: ReportOptions = {}): Promise<Report> {
  const o: FigureOptions = {
    thresholdSec: opts.thresholdSec ?? ctx.config.REPORT_SERVICE_LEVEL_SEC,
    shortAbandonSec: opts.shortAbandonSec ?? ctx.config.REPORT_SHORT_ABANDON_SEC,
    tz: range.tz,
    now: ctx.clock.now(),
  };
  const inRange = { gte: range.from, lt: range.to };
  const [records, tasks, attempts] = await Promise.all([
    ctx.db.callRecord.findMany({
      where: { ...customerCalls, startedAt: inRange },
      select: {
        direction: true, startedAt: true, queueEnteredAt: true, agentAnsweredAt: true, endedAt: true, agentId: true,
        intent: true, queueName: true, waitSec: true, handleSec: true, outcome: true, callSid: true, holdSec: true, holdCount: true,
      },
    }),
    ctx.db.callbackTask.findMany({
      where: { createdAt: inRange },
      select: { id: true, reason: true, queueName: true, status: true, createdAt: true, dueAt: true, completedAt: true },
    }),
    ctx.db.reminderAttempt.findMany({
      where: { createdAt: inRange },
      select: { reminder: { select: { id: true, status: true, outcome: true, campaign: { select: { id: true, name: true, kind: true } } } } },
    }),
  ]);
  const facts = await conferenceFacts(ctx, records.filter((c) => c.direction === 'inbound' && c.queueEnteredAt && c.agentAnsweredAt).map((c) => c.callSid));
  const calls: ReportCall[] = records.map((c) => ({ ...c, ...facts.get(c.callSid) }));
  const agentIds = [...new Set(calls.map((c) => c.agentId).filter((x): x is string => !!x))];
  const agents = agentIds.length ? await ctx.db.agent.findMany({ where: { id: { in: agentIds } }, select: { id: true, name: true } }) : [];
  const reminders = new Map<string, { campaignId: string; campaignName: string; campaignKind: string; status: string; outcome: string | null; attemptsInRange: number }>();
  for (const { reminder: r } of attempts) {
    const seen = reminders.get(r.id);
    if (seen) seen.attemptsInRange++;
    else reminders.set(r.id, { campaignId: r.campaign.id, campaignName: r.campaign.name, campaignKind: r.campaign.kind, status: r.status, outcome: r.outcome, attemptsInRange: 1 });
  }
  return {
    range: { from: range.from.toISOString(), to: range.to.toISOString(), tz: range.tz },
    thresholdSec: o.thresholdSec,
    shortAbandonSec: o.shortAbandonSec,
    generatedAt: o.now.toISOString(),
    totals: queueFigures(calls, o),
    perHour: callsPerHour(calls, o),
    perIntent: intentFigures(calls, o),
    perAgent: agentFigures(calls, new Map(agents.map((a) => [a.id, a.name]))),
    callbacks: callbackFigures(tasks, o),
    campaigns: campaignFigures([...reminders.values()]),
  };
}
