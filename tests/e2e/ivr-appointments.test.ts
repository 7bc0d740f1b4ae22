import { recordsWritten } from '../helpers/app';
import type { SimCall } from '../../src/sim';
import { heardSince, startIvr, verifyByKeypad, type Ivr } from './ivr-harness';

// Appointments on the inbound line: schedule, more times, reschedule, cancel, and atomic booking.
let ivr: Ivr;
beforeAll(async () => {
  ivr = await startIvr();
});
afterAll(async () => {
  await ivr.close();
});

/** The key a prompt offers for a label, e.g. keyFor(call, 'Dermatology') from "For Dermatology, press 2." */
function keyFor(call: SimCall, label: string): string {
  const line = [...call.heard].reverse().find((h) => h.text.includes(label) && /(press|oprima) \d/.test(h.text));
  if (!line) throw new Error(`no option for ${label} in:\n${call.transcript()}`);
  return /(?:press|oprima) (\d)/.exec(line.text)![1]!;
}

describe('appointments', () => {
  test('English keypad: department, the next open slots in the patient\'s time zone, more times, book', async () => {
    const { ana } = ivr.practice;
    const call = await ivr.call(ana.phone);
    await verifyByKeypad(call, '1', ana.dob);
    await call.press('2');
    expect(call.transcript()).toContain('To schedule a new appointment, press 1.');
    await call.press('1');
    expect(call.transcript()).toContain('Which department would you like to see?');
    await call.press(keyFor(call, 'Cardiology'));
    let mark = call.heard.length - 5;
    expect(heardSince(call, mark)).toContain('For Wednesday, March 4 at 10:30 AM, press 1.');
    expect(heardSince(call, mark)).toContain('For Wednesday, March 4 at 2 PM, press 2.');
    expect(heardSince(call, mark)).toContain('For Wednesday, March 4 at 3:30 PM, press 3.');
    expect(heardSince(call, mark)).toContain('For more times, press 4.');
    mark = call.heard.length;
    await call.press('4');
    expect(heardSince(call, mark)).toContain('For Thursday, March 5 at 10:30 AM, press 1.');
    await call.press('2');
    expect(call.transcript()).toContain('You are booked for Thursday, March 5 at 2 PM. We look forward to seeing you.');
    const appts = await ivr.db.appointment.findMany({ where: { patientId: ana.id, bookedCallSid: call.sid }, include: { slot: true } });
    expect(appts).toHaveLength(1);
    expect(appts[0]!.start).toEqual(new Date('2026-03-05T19:00:00Z'));
    expect(appts[0]!.slot!.status).toBe('busy');
    await recordsWritten(ivr.app);
    const rec = await ivr.db.callRecord.findUniqueOrThrow({ where: { callSid: call.sid } });
    expect(rec).toMatchObject({ intent: 'appointment', outcome: 'self_served' });
    await call.hangup();
  });

  test('Spanish by speech, times read in the patient\'s own time zone (Chicago)', async () => {
    const { rosa } = ivr.practice;
    await ivr.db.patient.update({ where: { id: rosa.id }, data: { timeZone: 'America/Chicago' } });
    const call = await ivr.call(rosa.phone);
    await verifyByKeypad(call, '2', rosa.dob);
    await call.speak('una cita');
    await call.speak('programar una cita nueva');
    expect(call.transcript()).toContain('Para Cardiología, oprima');
    await call.speak('cardiología');
    expect(call.transcript()).toContain('Para el miércoles 4 de marzo a las 9:30, oprima 1.');
    await call.speak('el primero');
    expect(call.transcript()).toContain('Su cita quedó programada para el miércoles 4 de marzo a las 9:30. Le esperamos.');
    expect(await ivr.db.appointment.count({ where: { patientId: rosa.id, status: 'booked' } })).toBe(1);
    await call.hangup();
    await ivr.db.patient.update({ where: { id: rosa.id }, data: { timeZone: 'America/New_York' } });
  });

  test('reschedule: the upcoming appointment is listed, a new slot booked and the old one freed in one step', async () => {
    const { ana } = ivr.practice;
    const old = await ivr.db.appointment.findFirstOrThrow({ where: { patientId: ana.id, status: 'booked' } });
    const call = await ivr.call(ana.phone);
    await verifyByKeypad(call, '1', ana.dob);
    await call.press('2');
    await call.press('2');
    expect(call.transcript()).toContain('Which appointment would you like to reschedule?');
    expect(call.transcript()).toContain('For Cardiology, Thursday, March 5 at 2 PM, press 1.');
    await call.press('1');
    expect(call.transcript()).toContain('Here are the next available times.');
    await call.press('1');
    expect(call.transcript()).toMatch(/You are booked for Wednesday, March 4 at (10:30 AM|2 PM|3:30 PM)\./);
    const before = await ivr.db.appointment.findUniqueOrThrow({ where: { id: old.id } });
    expect(before).toMatchObject({ status: 'cancelled', slotId: null });
    const oldSlot = await ivr.db.slot.findFirstOrThrow({ where: { start: old.start } });
    expect(oldSlot.status).toBe('free');
    expect(await ivr.db.appointment.count({ where: { patientId: ana.id, status: 'booked' } })).toBe(1);
    await call.hangup();
  });

  test('cancel: the appointment is cancelled and its slot opens again', async () => {
    const { ana } = ivr.practice;
    const booked = await ivr.db.appointment.findFirstOrThrow({ where: { patientId: ana.id, status: 'booked' } });
    const call = await ivr.call(ana.phone);
    await verifyByKeypad(call, '1', ana.dob);
    await call.press('2');
    await call.press('3');
    expect(call.transcript()).toContain('Which appointment would you like to cancel?');
    await call.press('1');
    expect(call.transcript()).toMatch(/Your appointment, Cardiology, Wednesday, March 4 at .*, has been cancelled\./);
    expect((await ivr.db.appointment.findUniqueOrThrow({ where: { id: booked.id } })).status).toBe('cancelled');
    expect((await ivr.db.slot.findUniqueOrThrow({ where: { id: booked.slotId! } })).status).toBe('free');
    await call.press('2');
    expect(call.ended).toBe(true);
  });

  test('no upcoming appointments to cancel: said so, back to "anything else"', async () => {
    const { shared } = ivr.practice;
    const call = await ivr.call(shared.phone);
    await call.press('1');
    await call.press(shared.dob);
    await call.press('2');
    await call.press(shared.zip);
    await call.press('2');
    await call.press('3');
    expect(call.transcript()).toContain('You have no upcoming appointments with us.');
    expect(call.transcript()).toContain('Is there anything else');
    await call.hangup();
  });

  test('two callers pressing for the same slot at the same moment: one books it, the other hears it was taken and new options', async () => {
    const derm = await ivr.db.department.create({ data: { code: 'dermatology', name: 'Dermatology', nameEs: 'Dermatología' } });
    const schedule = await ivr.db.schedule.create({ data: { departmentId: derm.id } });
    const first = new Date('2026-03-06T14:00:00Z');
    for (let i = 0; i < 4; i++) {
      const start = new Date(first.getTime() + i * 3600_000);
      await ivr.db.slot.create({ data: { scheduleId: schedule.id, start, end: new Date(start.getTime() + 1800_000) } });
    }
    const toSlots = async (from: string, dob: string) => {
      const call = await ivr.call(from);
      await verifyByKeypad(call, '1', dob);
      await call.press('2');
      await call.press('1');
      await call.press(keyFor(call, 'Dermatology'));
      expect(call.transcript()).toContain('For Friday, March 6 at 9 AM, press 1.');
      return call;
    };
    const a = await toSlots(ivr.practice.ana.phone, ivr.practice.ana.dob);
    const b = await toSlots(ivr.practice.rosa.phone, ivr.practice.rosa.dob);
    const [ma, mb] = [a.heard.length, b.heard.length];
    await Promise.all([a.press('1'), b.press('1')]);
    const heardA = heardSince(a, ma);
    const heardB = heardSince(b, mb);
    const winners = [heardA, heardB].filter((h) => h.includes('You are booked for Friday, March 6 at 9 AM.'));
    const losers = [heardA, heardB].filter((h) => h.includes('Sorry, that time was just taken by another caller.'));
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(1);
    expect(losers[0]).toContain('For Friday, March 6 at 10 AM, press 1.');
    expect(losers[0]).not.toContain('March 6 at 9 AM, press');
    const slot = await ivr.db.slot.findFirstOrThrow({ where: { start: first } });
    expect(slot.status).toBe('busy');
    expect(await ivr.db.appointment.count({ where: { slotId: slot.id } })).toBe(1);
    await a.hangup();
    await b.hangup();
  });
});
