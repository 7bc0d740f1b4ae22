import { DateTime } from 'luxon';
import { recordsWritten } from '../helpers/app';
import { createAgent, loginAs } from '../helpers/staff';
import { startRouting, type RoutingHarness } from './routing-harness';

// A callback chosen in the queue has the same one-business-day SLA as a voicemail: due at the close
// of the next business day, not the moment it is asked for.

const TZ = 'America/New_York';
const local = (iso: string) => DateTime.fromISO(iso, { zone: TZ }).toJSDate();

describe('press 1 for a callback: due by the end of the next business day', () => {
  let h: RoutingHarness;
  // Tuesday 24 November 2026, 10:00 in New York.
  const clock = { ms: local('2026-11-24T10:00:00').getTime(), now: () => new Date(clock.ms) };
  beforeAll(async () => {
    h = await startRouting({ clock });
    for (let d = 1; d <= 5; d++) await h.app.ctx.db.businessHours.create({ data: { dayOfWeek: d, opens: '08:00', closes: '17:00', timeZone: TZ } });
    await createAgent(h.app.ctx.db, { email: 'sla-sup@example.org', name: 'Sam Supervisor', roles: ['supervisor'] });
  });
  afterAll(async () => {
    await h.close();
  });

  test('the task is due Wednesday at closing and the report does not count it overdue', async () => {
    const caller = await h.call('+13055550161', { queue: 'pharmacy', requiredSkills: [], language: 'en', reason: 'refill', verified: false });
    await caller.press('1');
    expect(caller.ended).toBe(true);
    await recordsWritten(h.app);
    const stored = await h.app.ctx.db.callbackTask.findFirstOrThrow({ where: { callSid: caller.sid } });
    expect(stored).toMatchObject({ reason: 'queue_callback', status: 'open' });
    expect(stored.dueAt.toISOString()).toBe(local('2026-11-25T17:00:00').toISOString());

    clock.ms += 5 * 60_000; // the supervisor looks five minutes later
    const sup = await loginAs(h.app, 'sla-sup@example.org');
    const res = await sup.agent.get('/api/reports?from=2026-11-24&to=2026-11-24');
    expect(res.status).toBe(200);
    const { tasks, ...callbacks } = res.body.callbacks;
    expect(callbacks).toMatchObject({ created: 1, open: 1, overdue: 0, slaMetPct: null });
    expect(tasks).toEqual([expect.objectContaining({ id: stored.id, reason: 'queue_callback', overdue: false, dueAt: local('2026-11-25T17:00:00').toISOString() })]);
  });
});
