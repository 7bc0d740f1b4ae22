import { agentFigures, callbackFigures, callsPerHour, campaignFigures, intentFigures, queueFigures, type ReportCall } from '../../src/records/report-figures';
import { parseReportRange } from '../../src/records/report-range';
import { reportCsv } from '../../src/records/report-csv';

const T0 = new Date('2026-11-24T14:00:00Z'); // 09:00 in New York
const at = (min: number) => new Date(T0.getTime() + min * 60_000);
const o = { thresholdSec: 30, shortAbandonSec: 5, tz: 'America/New_York', now: new Date('2026-11-26T12:00:00Z') };

function call(p: Partial<ReportCall>): ReportCall {
  return { direction: 'inbound', startedAt: T0, queueEnteredAt: null, agentAnsweredAt: null, endedAt: at(5), agentId: null, intent: null, queueName: null, waitSec: null, handleSec: null, outcome: null, ...p };
}
const answered = (wait: number, handle: number, agentId: string, intent = 'refill') =>
  call({ queueEnteredAt: T0, agentAnsweredAt: at(1), waitSec: wait, handleSec: handle, agentId, intent, outcome: 'answered' });
const abandoned = (wait: number, intent = 'refill') => call({ queueEnteredAt: T0, waitSec: wait, intent, outcome: 'abandoned' });

describe('report figures', () => {
  const calls = [
    answered(10, 200, 'a1'),
    answered(30, 300, 'a1'), // exactly T: within
    answered(31, 100, 'a2', 'appointment'), // just over T
    abandoned(3), // short abandon: excluded everywhere
    abandoned(20), // abandoned within T: not in the service-level denominator
    abandoned(60, 'billing'), // abandoned after T
    call({ queueEnteredAt: T0, waitSec: 90, outcome: 'voicemail', intent: 'billing' }), // deflected
    call({ intent: 'refill', outcome: 'self_served' }),
    call({ intent: 'appointment', outcome: 'self_served', startedAt: at(70) }),
    call({ outcome: 'ivr_hangup', startedAt: at(70) }),
    call({ direction: 'outbound-api', outcome: 'reminder_confirmed', startedAt: at(130) }),
  ];

  test('service level, ASA, abandonment, AHT and self-service follow the README definitions exactly', () => {
    const f = queueFigures(calls, o);
    expect(f).toEqual({
      inbound: 10,
      outbound: 1,
      queued: 7,
      offered: 6,
      answered: 3,
      answeredWithinThreshold: 2,
      abandoned: 2,
      abandonedAfterThreshold: 1,
      shortAbandoned: 1,
      deflected: 1,
      selfServed: 2,
      serviceLevelPct: 50, // 2 / (3 + 1)
      averageSpeedOfAnswerSec: 23.7, // (10 + 30 + 31) / 3
      abandonmentRatePct: 33.3, // 2 / 6
      averageHandleTimeSec: 200, // (200 + 300 + 100) / 3
      selfServiceRatePct: 20, // 2 / 10
      // no hold or transfer facts on these rows; an answered call is then the caller and its agent
      averageHoldSec: 0,
      held: 0,
      heldPct: 0,
      transferred: 0,
      transferRatePct: 0,
      averageParticipants: 2,
    });
  });

  test('a different threshold changes only the threshold figures', () => {
    const f = queueFigures(calls, { ...o, thresholdSec: 60 });
    expect(f.answeredWithinThreshold).toBe(3);
    expect(f.abandonedAfterThreshold).toBe(0);
    expect(f.serviceLevelPct).toBe(100);
  });

  test('no queued calls give null rates, not NaN', () => {
    const f = queueFigures([call({ outcome: 'self_served' })], o);
    expect(f.serviceLevelPct).toBeNull();
    expect(f.averageSpeedOfAnswerSec).toBeNull();
    expect(f.abandonmentRatePct).toBeNull();
    expect(f.selfServiceRatePct).toBe(100);
  });

  test('calls per hour are bucketed by local hour', () => {
    const h = callsPerHour(calls, o);
    expect(h).toHaveLength(24);
    expect(h[9]).toEqual({ hour: 9, inbound: 8, outbound: 0, answered: 3, abandoned: 2 });
    expect(h[10]).toEqual({ hour: 10, inbound: 2, outbound: 0, answered: 0, abandoned: 0 });
    expect(h[11]).toEqual({ hour: 11, inbound: 0, outbound: 1, answered: 0, abandoned: 0 });
  });

  test('self-service per intent and per-agent figures', () => {
    expect(intentFigures(calls, o)).toEqual([
      { intent: 'appointment', calls: 2, selfServed: 1, selfServiceRatePct: 50, answered: 1, abandoned: 0, deflected: 0 },
      { intent: 'billing', calls: 2, selfServed: 0, selfServiceRatePct: 0, answered: 0, abandoned: 1, deflected: 1 },
      { intent: 'none', calls: 1, selfServed: 0, selfServiceRatePct: 0, answered: 0, abandoned: 0, deflected: 0 },
      { intent: 'refill', calls: 5, selfServed: 1, selfServiceRatePct: 20, answered: 2, abandoned: 1, deflected: 0 },
    ]);
    expect(agentFigures(calls, new Map([['a1', 'Ana'], ['a2', 'Ben']]))).toEqual([
      { agentId: 'a1', name: 'Ana', answered: 2, averageSpeedOfAnswerSec: 20, averageHandleTimeSec: 250, totalHandleSec: 500, averageHoldSec: 0, held: 0, heldPct: 0, transferred: 0, transferRatePct: 0, averageParticipants: 2 },
      { agentId: 'a2', name: 'Ben', answered: 1, averageSpeedOfAnswerSec: 31, averageHandleTimeSec: 100, totalHandleSec: 100, averageHoldSec: 0, held: 0, heldPct: 0, transferred: 0, transferRatePct: 0, averageParticipants: 2 },
    ]);
  });

  test('hold, transfer and participants: over answered calls only, a call never held counting 0', () => {
    const rows = [
      { ...answered(10, 200, 'a1'), holdSec: 90, holdCount: 2, transferred: true, participants: 3 },
      { ...answered(10, 200, 'a1'), holdSec: null, holdCount: null, transferred: false, participants: 2 },
      { ...answered(10, 200, 'a2'), holdSec: 30, holdCount: 1, transferred: false, participants: 4 },
      // not answered: its facts count nowhere
      call({ queueEnteredAt: T0, waitSec: 40, outcome: 'abandoned', holdSec: 500, holdCount: 1, transferred: true, participants: 9 }),
    ];
    const f = queueFigures(rows, o);
    expect([f.averageHoldSec, f.held, f.heldPct, f.transferred, f.transferRatePct, f.averageParticipants]).toEqual([40, 2, 66.7, 1, 33.3, 3]);
    const [a1, a2] = agentFigures(rows, new Map());
    expect([a1.averageHoldSec, a1.heldPct, a1.transferRatePct, a1.averageParticipants]).toEqual([45, 50, 50, 2.5]);
    expect([a2.averageHoldSec, a2.heldPct, a2.transferRatePct, a2.averageParticipants]).toEqual([30, 100, 0, 4]);
  });

  test('callback tasks: overdue when open past due, late when done after due', () => {
    const due = new Date('2026-11-25T22:00:00Z');
    const f = callbackFigures(
      [
        { id: 't1', reason: 'voicemail', queueName: 'pharmacy', status: 'open', createdAt: T0, dueAt: due, completedAt: null },
        { id: 't2', reason: 'voicemail', queueName: null, status: 'done', createdAt: T0, dueAt: due, completedAt: new Date('2026-11-25T15:00:00Z') },
        { id: 't3', reason: 'after_hours', queueName: null, status: 'done', createdAt: T0, dueAt: due, completedAt: new Date('2026-11-26T09:00:00Z') },
        { id: 't4', reason: 'queue_callback', queueName: 'billing', status: 'open', createdAt: T0, dueAt: new Date('2026-11-27T22:00:00Z'), completedAt: null },
      ],
      o,
    );
    expect({ ...f, tasks: f.tasks.map((t) => [t.id, t.overdue, t.late]) }).toEqual({
      created: 4, open: 2, done: 2, cancelled: 0, doneWithinSla: 1, doneLate: 1, overdue: 1, slaMetPct: 33.3,
      tasks: [['t1', true, false], ['t2', false, false], ['t3', false, true], ['t4', false, false]],
    });
  });

  test('reminder outcomes per campaign', () => {
    expect(campaignFigures([
      { campaignId: 'c1', campaignName: 'Refills', campaignKind: 'refill', status: 'completed', outcome: 'confirmed', attemptsInRange: 1 },
      { campaignId: 'c1', campaignName: 'Refills', campaignKind: 'refill', status: 'failed', outcome: null, attemptsInRange: 3 },
      { campaignId: 'c1', campaignName: 'Refills', campaignKind: 'refill', status: 'completed', outcome: 'confirmed', attemptsInRange: 2 },
    ])).toEqual([{ campaignId: 'c1', name: 'Refills', kind: 'refill', reminders: 3, attempts: 6, outcomes: { confirmed: 2, failed: 1 } }]);
  });

  test('a report range is whole local days, to inclusive; bad input is refused', () => {
    const r = parseReportRange({ from: '2026-11-24', to: '2026-11-24' }, 'America/New_York', T0);
    expect([r.from.toISOString(), r.to.toISOString()]).toEqual(['2026-11-24T05:00:00.000Z', '2026-11-25T05:00:00.000Z']);
    const today = parseReportRange({}, 'America/Chicago', new Date('2026-11-25T03:00:00Z'));
    expect(today.from.toISOString()).toBe('2026-11-24T06:00:00.000Z');
    expect(() => parseReportRange({ tz: 'Mars/Olympus' }, 'UTC', T0)).toThrow(/time zone/);
    expect(() => parseReportRange({ from: '2026-11-25', to: '2026-11-24' }, 'UTC', T0)).toThrow(/after/);
  });

  test('CSV cells that look like formulas are neutralised', () => {
    const csv = reportCsv({
      range: { from: 'a', to: 'b', tz: 'UTC' }, thresholdSec: 30, shortAbandonSec: 5, generatedAt: 'x',
      totals: queueFigures([], o), perHour: [], perIntent: [{ intent: '=HYPERLINK("x")', calls: 1, selfServed: 0, selfServiceRatePct: 0, answered: 0, abandoned: 0, deflected: 0 }],
      perAgent: [], callbacks: callbackFigures([], o), campaigns: [],
    });
    expect(csv).toContain(`intent,"'=HYPERLINK(""x"")",1,0,0,0,0,0`);
  });
});
