import type { Report } from './report';

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  // Quote when needed; a leading = + - @ would be a formula in a spreadsheet.
  const safe = /^[=+\-@]/.test(s) && !/^-?\d+(\.\d+)?$/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function rows(section: string, header: string[], data: unknown[][]): string[] {
  return [[section, ...header].map(cell).join(','), ...data.map((r) => [section, ...r].map(cell).join(','))];
}

/**
 * The report as one CSV document: each line starts with its section (summary, hour, intent,
 * agent, callback, campaign), then that section's columns; each section has its own header line.
 */
export function reportCsv(r: Report): string {
  const t = r.totals;
  const lines = [
    ...rows('summary', ['figure', 'value'], [
      ['from', r.range.from], ['to', r.range.to], ['tz', r.range.tz], ['threshold_sec', r.thresholdSec], ['short_abandon_sec', r.shortAbandonSec],
      ['inbound', t.inbound], ['outbound', t.outbound], ['queued', t.queued], ['offered', t.offered], ['answered', t.answered],
      ['answered_within_threshold', t.answeredWithinThreshold], ['abandoned', t.abandoned], ['abandoned_after_threshold', t.abandonedAfterThreshold],
      ['short_abandoned', t.shortAbandoned], ['deflected', t.deflected], ['self_served', t.selfServed],
      ['service_level_pct', t.serviceLevelPct], ['average_speed_of_answer_sec', t.averageSpeedOfAnswerSec],
      ['abandonment_rate_pct', t.abandonmentRatePct], ['average_handle_time_sec', t.averageHandleTimeSec], ['self_service_rate_pct', t.selfServiceRatePct],
      ['average_hold_sec', t.averageHoldSec], ['held', t.held], ['held_pct', t.heldPct], ['transferred', t.transferred],
      ['transfer_rate_pct', t.transferRatePct], ['average_participants', t.averageParticipants],
      ['callbacks_created', r.callbacks.created], ['callbacks_overdue', r.callbacks.overdue], ['callback_sla_met_pct', r.callbacks.slaMetPct],
    ]),
    ...rows('hour', ['hour', 'inbound', 'outbound', 'answered', 'abandoned'], r.perHour.map((h) => [h.hour, h.inbound, h.outbound, h.answered, h.abandoned])),
    ...rows('intent', ['intent', 'calls', 'self_served', 'self_service_rate_pct', 'answered', 'abandoned', 'deflected'], r.perIntent.map((i) => [i.intent, i.calls, i.selfServed, i.selfServiceRatePct, i.answered, i.abandoned, i.deflected])),
    ...rows('agent', ['agent_id', 'name', 'answered', 'average_speed_of_answer_sec', 'average_handle_time_sec', 'total_handle_sec', 'average_hold_sec', 'held_pct', 'transfer_rate_pct', 'average_participants'], r.perAgent.map((a) => [a.agentId, a.name, a.answered, a.averageSpeedOfAnswerSec, a.averageHandleTimeSec, a.totalHandleSec, a.averageHoldSec, a.heldPct, a.transferRatePct, a.averageParticipants])),
    ...rows('callback', ['task_id', 'reason', 'queue', 'status', 'created_at', 'due_at', 'completed_at', 'overdue', 'late'], r.callbacks.tasks.map((c) => [c.id, c.reason, c.queueName, c.status, c.createdAt.toISOString(), c.dueAt.toISOString(), c.completedAt?.toISOString(), c.overdue, c.late])),
    ...rows('campaign', ['campaign_id', 'name', 'kind', 'reminders', 'attempts', 'outcome', 'count'], r.campaigns.flatMap((c) => Object.entries(c.outcomes).sort().map(([k, n]) => [c.campaignId, c.name, c.kind, c.reminders, c.attempts, k, n]))),
  ];
  return lines.join('\r\n') + '\r\n';
}
