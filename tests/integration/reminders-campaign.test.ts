import { recordsWritten } from '../helpers/app';
import { DateTime } from 'luxon';
import { isInsideWindow, windowFor } from '../../src/reminders/calling-window';
import { launchCampaign } from '../../src/reminders/campaign-launch';
import { sweepReminders } from '../../src/reminders/reconcile';
import { addPatient, addPrescription, NY_OPENS, startReminderHarness, waitFor, type ReminderHarness } from './reminders-fixtures';

const NY = '+12125557701';
const CHI = '+13125557702';
const LA = '+13105557703';

describe('a refill campaign across time zones (local Twilio, fake clock)', () => {
  let h: ReminderHarness;
  const dialedAt: Record<string, Date> = {};
  beforeAll(async () => {
    h = await startReminderHarness(NY_OPENS);
    h.sim.on('call', (c: { to: string }) => {
      dialedAt[c.to] = h.clock.now();
    });
    for (const [given, tz, phone] of [['Nora', 'America/New_York', NY], ['Carl', 'America/Chicago', CHI], ['Lena', 'America/Los_Angeles', LA]] as const) {
      const p = await addPatient(h.ctx, { given, timeZone: tz, phone });
      await addPrescription(h.ctx, p.id, NY_OPENS, 24);
      // Answering machines: the calls end on their own (and take the machine path).
      h.sim.setNumberBehaviour(phone, 'machine');
    }
    h.startWorker();
  });
  afterAll(async () => {
    await h.close();
  });

  test('each patient is dialed only once their own 08:00 comes, and machines get the minimum-necessary message', async () => {
    const summary = await launchCampaign(h.ctx, { kind: 'refill' });
    expect(summary.created).toBe(3);

    // 08:30 in New York: only New York is dialed; Chicago and Los Angeles wait for their opening.
    await waitFor('the New York call', async () => h.sim.createdCalls.find((c) => c.to === NY));
    await waitFor('Chicago and LA deferred', async () => {
      const rs = await h.ctx.db.reminder.findMany({ where: { phone: { in: [CHI, LA] } } });
      return rs.every((r) => r.nextAttemptAt > NY_OPENS) && rs;
    });
    expect(h.sim.createdCalls.map((c) => c.to)).toEqual([NY]);
    const waiting = await h.ctx.db.reminder.findMany({ where: { phone: { in: [CHI, LA] } }, orderBy: { phone: 'asc' } });
    expect(waiting.map((r) => [r.phone, r.nextAttemptAt.toISOString()])).toEqual([
      [LA, '2026-11-24T16:00:00.000Z'],
      [CHI, '2026-11-24T14:00:00.000Z'],
    ]);

    // 08:00 in Chicago: the sweep runs the job whose delay has come (by the fake clock).
    h.clock.set('2026-11-24T14:00:00Z');
    await sweepReminders(h.ctx, { graceMs: 0 });
    await waitFor('the Chicago call', async () => h.sim.createdCalls.find((c) => c.to === CHI));
    expect(h.sim.createdCalls.some((c) => c.to === LA)).toBe(false);

    h.clock.set('2026-11-24T16:00:00Z');
    await sweepReminders(h.ctx, { graceMs: 0 });
    await waitFor('the Los Angeles call', async () => h.sim.createdCalls.find((c) => c.to === LA));

    for (const [phone, tz] of [[NY, 'America/New_York'], [CHI, 'America/Chicago'], [LA, 'America/Los_Angeles']] as const) {
      expect(isInsideWindow(dialedAt[phone]!, windowFor({ windowStart: '08:00', windowEnd: '21:00', quietDays: [] }, tz))).toBe(true);
      expect(DateTime.fromJSDate(dialedAt[phone]!, { zone: tz }).toFormat('HH:mm')).toMatch(/^08:(00|30)$/);
    }

    // Machine path: the voicemail names the practice and the call-back number, never the drug.
    const done = await waitFor('all three reminders finished', async () => {
      const rs = await h.ctx.db.reminder.findMany({ include: { attemptLog: true } });
      return rs.every((r) => r.status === 'completed') && rs;
    });
    expect(done.map((r) => r.outcome)).toEqual(['voicemail', 'voicemail', 'voicemail']);
    expect(done.every((r) => r.attemptLog.length === 1 && r.attemptLog[0]!.answeredBy === 'machine_end_beep')).toBe(true);
    await h.sim.idle();
    for (const phone of [NY, CHI, LA]) {
      const call = h.sim.callsTo(phone)[0]!;
      const heard = call.transcript();
      expect(heard).toContain('Hello, this is Maple Clinic calling with a message.');
      expect(heard).toContain('5 5 5, 0 1 0, 0 0 0 0');
      expect(heard).not.toMatch(/Lisinopril/i);
      await recordsWritten(h);
      const record = await h.ctx.db.callRecord.findUniqueOrThrow({ where: { callSid: call.sid } });
      expect(record.reminderId).toBe(done.find((r) => r.phone === phone)!.id);
      expect(record.direction).toBe('outbound-api');
      expect(record.answeredBy).toBe('machine_end_beep');
    }
    expect(h.sim.createdCalls).toHaveLength(3);
  });
});
