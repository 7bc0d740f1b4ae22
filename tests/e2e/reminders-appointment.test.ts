import { recordsWritten } from '../helpers/app';
import { forgetHoursCache } from '../../src/calendar/hours';
import { launchCampaign } from '../../src/reminders/campaign-launch';
import { addPatient, NY_OPENS, startReminderHarness, waitFor, type ReminderHarness } from '../integration/reminders-fixtures';

// An appointment reminder call end to end on the local Twilio: the practice first, the appointment
// only after the date of birth, then confirm or reschedule (the scheduling sub-flow).

async function answeredCall(h: ReminderHarness, phone: string) {
  const created = await waitFor('the reminder call', async () => h.sim.createdCalls.find((c) => c.to === phone));
  await waitFor('the flow waiting for a key', async () => {
    await h.sim.idle();
    return h.sim.call(created.sid)?.waitingFor === 'gather';
  });
  return h.sim.call(created.sid)!;
}

describe('appointment reminder calls', () => {
  let h: ReminderHarness;
  beforeEach(async () => {
    h = await startReminderHarness(NY_OPENS);
    h.startWorker();
  });
  afterEach(async () => {
    await h.close();
  });

  async function remindOf(phone: string, language: 'en' | 'es' = 'en') {
    const p = await addPatient(h.ctx, { given: 'Dora', timeZone: 'America/New_York', phone, birthDate: '1958-12-01', language });
    const dept = await h.ctx.db.department.create({ data: { code: `cardio-${phone.slice(-4)}`, name: 'Cardiology', nameEs: 'Cardiología' } });
    // Wednesday 25 November 2026, 15:30 New York.
    await h.ctx.db.appointment.create({ data: { patientId: p.id, departmentId: dept.id, start: new Date('2026-11-25T20:30:00Z'), end: new Date('2026-11-25T21:00:00Z'), reason: 'Chest pain follow-up' } });
    const s = await launchCampaign(h.ctx, { kind: 'appointment', leadHours: 48 });
    expect(s.created).toBe(1);
    return p;
  }

  test('verified, the patient hears when and where, and confirms', async () => {
    const phone = '+12125557741';
    await remindOf(phone);
    const call = await answeredCall(h, phone);
    expect(call.transcript()).not.toMatch(/Dora|Cardiology|Chest|November|tomorrow/i);
    await call.press('1');
    await call.settled();
    await call.press('12011958');
    await call.settled();
    expect(call.transcript()).toContain('This is a reminder of your appointment tomorrow at 3:30 PM with Cardiology');
    expect(call.transcript()).not.toMatch(/Chest pain/i);
    await call.press('1');
    await call.settled();
    expect(call.transcript()).toContain('Your appointment is confirmed.');
    const r = await waitFor('the reminder completed', async () => {
      const x = await h.ctx.db.reminder.findFirst({ where: { phone } });
      return x?.status === 'completed' && x;
    });
    expect(r.outcome).toBe('confirmed');
  });

  test('pressing 3 goes into the scheduling sub-flow', async () => {
    const phone = '+12125557742';
    await remindOf(phone, 'es');
    const call = await answeredCall(h, phone);
    expect(call.transcript()).toMatch(/^Hola, le llama Maple Clinic/);
    await call.press('1');
    await call.settled();
    await call.press('12011958');
    await call.settled();
    expect(call.transcript()).toContain('Le recordamos su cita mañana a las 15:30 con Cardiología');
    await call.press('3');
    await call.settled();
    const attempt = await h.ctx.db.reminderAttempt.findFirstOrThrow({ where: { callSid: call.sid } });
    expect(attempt.status).toBe('reschedule');
    // The scheduling sub-flow's own menu (schedule / reschedule / cancel) is what plays now.
    await recordsWritten(h);
    const session = await h.ctx.db.callEvent.findMany({ where: { callSid: call.sid, type: 'node' }, orderBy: { at: 'asc' } });
    expect(session.map((e) => e.name)).toContain('appt_menu');
  });

  test('pressing 2 puts the patient in the scheduling queue for a person', async () => {
    for (let d = 1; d <= 7; d++) await h.ctx.db.businessHours.create({ data: { dayOfWeek: d, opens: '08:00', closes: '20:00', timeZone: 'America/New_York' } });
    forgetHoursCache(h.ctx);
    const phone = '+12125557743';
    await remindOf(phone);
    const call = await answeredCall(h, phone);
    await call.press('1');
    await call.settled();
    await call.press('12011958');
    await call.settled();
    await call.press('2');
    await call.settled();
    expect(call.queue?.name).toBe('scheduling');
    expect((await h.ctx.db.reminderAttempt.findFirstOrThrow({ where: { callSid: call.sid } })).status).toBe('transferred');
    await recordsWritten(h);
    expect(await h.ctx.db.callRecord.findUniqueOrThrow({ where: { callSid: call.sid } })).toMatchObject({ queueName: 'scheduling', verified: true });
  });
});
