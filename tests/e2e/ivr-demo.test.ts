import { DateTime } from 'luxon';
import { seedDemo } from '../../src/db/seed';
import { TwilioSim } from '../../src/sim';
import { startTestApp, TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, type TestApp } from '../helpers/app';
import { CARELINE_NUMBER, fakeClock } from './ivr-harness';

// The inbound line on the demo practice (npm run seed): a real patient refills a prescription and
// books an appointment, with whatever the demo data holds.
let app: TestApp;
let sim: TwilioSim;
const clock = fakeClock(new Date());
beforeAll(async () => {
  app = await startTestApp({ clock });
  await seedDemo({ db: app.ctx.db, log: app.ctx.log, clock });
  sim = new TwilioSim({ baseUrl: app.baseUrl, accountSid: TEST_ACCOUNT_SID, authToken: TEST_AUTH_TOKEN });
}, 60_000);
afterAll(async () => {
  await sim.close();
  await app.close();
});

test('a demo patient with a phone of their own verifies, refills a prescription and books an appointment', async () => {
  const db = app.ctx.db;
  const rx = await db.prescription.findFirst({
    where: { status: 'active', OR: [{ refillsRemaining: null }, { refillsRemaining: { gt: 0 } }], patient: { deceased: false, phones: { some: {} } } },
    include: { patient: { include: { phones: true } } },
  });
  expect(rx).not.toBeNull();
  const patient = rx!.patient;
  const phone = patient.phones[0]!.e164;
  const sharers = await db.patientPhone.count({ where: { e164: phone, patient: { deceased: false } } });
  const call = await sim.inboundCall({ from: phone, to: CARELINE_NUMBER });
  await call.press('1');
  await call.press(DateTime.fromJSDate(patient.birthDate, { zone: 'utc' }).toFormat('MMddyyyy'));
  if (sharers !== 1) {
    await call.press('1');
    await call.press(phone.replace(/^\+1/, ''));
  }
  expect(call.transcript()).toContain(`Thank you, ${patient.givenName}.`);
  await call.press('1');
  await call.press(`${rx!.rxNumber}#`);
  expect(call.transcript()).toMatch(/has been requested\. It will be ready for pickup .+\./);
  expect(await db.refillRequest.count({ where: { callSid: call.sid, prescriptionId: rx!.id } })).toBe(1);
  await call.press('1');
  await call.press('2');
  await call.press('1');
  expect(call.transcript()).toContain('Which department would you like to see?');
  await call.press('1');
  expect(call.transcript()).toContain('Here are the next available times.');
  await call.press('1');
  expect(call.transcript()).toMatch(/You are booked for .+\. We look forward to seeing you\./);
  expect(await db.appointment.count({ where: { bookedCallSid: call.sid, patientId: patient.id, status: 'booked' } })).toBe(1);
  await call.hangup();
});
