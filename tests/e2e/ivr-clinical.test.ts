import { recordsWritten } from '../helpers/app';
import { forgetHoursCache } from '../../src/calendar/hours';
import { CLOSED_AT, expectTransferred, heardSince, OPEN_AT, startIvr, verifyByKeypad, type Ivr } from './ivr-harness';

// Nurse or pharmacist, after-hours handling and holidays on the inbound line.
let ivr: Ivr;
beforeAll(async () => {
  ivr = await startIvr();
});
afterAll(async () => {
  await ivr.close();
});
afterEach(() => {
  ivr.clock.at = OPEN_AT;
});

describe('nurse or pharmacist', () => {
  test('in hours, English keypad: the clinical queue with language and licence as required skills', async () => {
    const { ana } = ivr.practice;
    const call = await ivr.call(ana.phone);
    await verifyByKeypad(call, '1', ana.dob);
    await call.press('3');
    expect(call.transcript()).toContain('To speak with a nurse, press 1. To speak with a pharmacist, press 2.');
    await call.press('1');
    const detail = await expectTransferred(ivr, call, 'clinical');
    expect(detail).toMatchObject({ skills: ['en', 'nurse'], priority: 5, verified: true });
    await recordsWritten(ivr.app);
    expect((await ivr.db.callRecord.findUniqueOrThrow({ where: { callSid: call.sid } })).intent).toBe('clinical');
  });

  test('in hours, Spanish by speech: a Spanish-speaking pharmacist', async () => {
    const { rosa } = ivr.practice;
    const call = await ivr.call(rosa.phone);
    await verifyByKeypad(call, '2', rosa.dob);
    await call.speak('tengo una pregunta para la enfermera o el farmacéutico');
    await call.speak('farmacéutico');
    const detail = await expectTransferred(ivr, call, 'clinical');
    expect(detail).toMatchObject({ skills: ['es', 'pharmacist'] });
  });

  test('after hours: the on-call nurse is dialled; when that call ends the caller hears goodbye', async () => {
    ivr.clock.at = CLOSED_AT;
    const { ana } = ivr.practice;
    const call = await ivr.call(ana.phone);
    await verifyByKeypad(call, '1', ana.dob);
    await call.press('3');
    await call.press('1');
    expect(call.transcript()).toContain('We are connecting you with the clinician on call.');
    expect(call.bridge?.to).toBe(ivr.practice.onCallNurse);
    await call.bridge!.hangup();
    expect(call.transcript()).toContain('Thank you for calling Careline Health. Goodbye.');
    await recordsWritten(ivr.app);
    const dial = await ivr.db.callEvent.findFirstOrThrow({ where: { callSid: call.sid, type: 'dial' } });
    expect(dial.detail).toMatchObject({ status: 'completed' });
    expect(await ivr.db.callbackTask.count({ where: { callSid: call.sid } })).toBe(0);
  });

  test('after hours, the on-call nurse does not answer: urgent voicemail and a high-priority callback task', async () => {
    ivr.clock.at = CLOSED_AT;
    ivr.sim.setNumberBehaviour(ivr.practice.onCallNurse, 'no-answer');
    const { ana } = ivr.practice;
    const call = await ivr.call(ana.phone);
    await verifyByKeypad(call, '1', ana.dob);
    await call.press('3');
    await call.press('1');
    expect(call.transcript()).toContain('The clinician on call could not be reached.');
    expect(call.waitingFor).toBe('record');
    await call.record({ durationSec: 25, digits: '#' });
    expect(call.transcript()).toContain('A clinician will call you back as soon as possible.');
    await recordsWritten(ivr.app);
    const task = await ivr.db.callbackTask.findFirstOrThrow({ where: { callSid: call.sid } });
    expect(task).toMatchObject({ reason: 'clinical_urgent', priority: 10, queueName: 'clinical', patientId: ana.id, phone: ana.phone, language: 'en' });
    expect(task.recordingUrl).toMatch(/Recordings\/RE/);
    const rec = await ivr.db.callRecord.findUniqueOrThrow({ where: { callSid: call.sid } });
    expect(rec).toMatchObject({ outcome: 'voicemail', recordingSid: task.recordingSid });
    ivr.sim.setNumberBehaviour(ivr.practice.onCallNurse, 'human');
  });
});

describe('after hours and holidays', () => {
  test('billing after hours: the hours announced, a voicemail offered, a callback due within one business day', async () => {
    ivr.clock.at = CLOSED_AT;
    const { ana } = ivr.practice;
    const call = await ivr.call(ana.phone);
    await verifyByKeypad(call, '1', ana.dob);
    await call.press('4');
    expect(call.transcript()).toContain('Our office is closed right now. Our hours are Monday to Friday, from 8:00 AM to 5:00 PM.');
    await call.press('1');
    await call.record({ durationSec: 12 });
    expect(call.transcript()).toContain('We will call you back within one business day.');
    await recordsWritten(ivr.app);
    const task = await ivr.db.callbackTask.findFirstOrThrow({ where: { callSid: call.sid } });
    // Tuesday 19:30 -> due at Wednesday's closing time, 17:00 New York
    expect(task).toMatchObject({ reason: 'after_hours', priority: 0, dueAt: new Date('2026-03-04T22:00:00Z') });
    expect(call.ended).toBe(true);
  });

  test('Spanish caller after hours asks for a person: hours in Spanish; an empty message still asks for a call back', async () => {
    ivr.clock.at = CLOSED_AT;
    const call = await ivr.call('+17865550100');
    await call.press('2');
    await call.speak('representante');
    expect(call.transcript()).toContain('Nuestra oficina está cerrada en este momento. Nuestro horario es lunes a viernes, de 8:00 a 17:00.');
    await call.speak('sí, un mensaje');
    await call.record({ durationSec: 0 });
    expect(call.transcript()).toContain('Le devolveremos la llamada dentro de un día hábil.');
    await recordsWritten(ivr.app);
    const task = await ivr.db.callbackTask.findFirstOrThrow({ where: { callSid: call.sid } });
    expect(task).toMatchObject({ reason: 'after_hours', language: 'es', phone: '+17865550100', patientId: null, recordingUrl: null });
    expect((await ivr.db.callRecord.findUniqueOrThrow({ where: { callSid: call.sid } })).outcome).toBe('callback');
  });

  test('on a holiday the line says so, announces the hours, and a silent caller is let go politely', async () => {
    const holiday = await ivr.db.holiday.create({ data: { date: new Date('2026-03-03'), name: 'Test Day' } });
    forgetHoursCache(ivr.app.ctx);
    try {
      const call = await ivr.call(ivr.practice.ana.phone);
      await call.press('1');
      const mark = call.heard.length;
      await call.press('0');
      await call.silence();
      expect(heardSince(call, mark)).toContain('Our office is closed today for the holiday.');
      expect(heardSince(call, mark)).toContain('Our hours are Monday to Friday');
      await call.silence();
      await call.silence();
      expect(call.transcript()).toContain('Thank you for calling Careline Health. Goodbye.');
      expect(call.ended).toBe(true);
      await recordsWritten(ivr.app);
      expect(await ivr.db.callbackTask.count({ where: { callSid: call.sid } })).toBe(0);
    } finally {
      await ivr.db.holiday.delete({ where: { id: holiday.id } });
      forgetHoursCache(ivr.app.ctx);
    }
  });
});
