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
  const [calls, tasks, attempts] = await Promise.all([
    ctx.db.callRecord.findMany({
      where: { ...customerCalls, startedAt: inRange },
      select: {
        direction: true, startedAt: true, queueEnteredAt: true, agentAnsweredAt: true, endedAt: true, agentId: true,
        intent: true, queueName: true, waitSec: true, handleSec: true, outcome: true,
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
