import { forgetHoursCache } from '../../src/calendar/hours';
import { recordsWritten } from '../helpers/app';
import { postSigned } from '../helpers/twilio-request';
import { CLOSED_AT, eventsOf, expectTransferred, heardSince, OPEN_AT, startIvr, verifyByKeypad, type Ivr } from './ivr-harness';

// Prescription refills on the inbound line.
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

describe('refills', () => {
  test('English keypad: a refill is requested once, the caller hears when it is ready, PHI masked in events', async () => {
    const { ana } = ivr.practice;
    const call = await ivr.call(ana.phone);
    await verifyByKeypad(call, '1', ana.dob);
    await call.press('1');
    expect(call.transcript()).toContain('Please enter your prescription number, followed by the pound key.');
    await call.press(`${ana.rxRefill}#`);
    expect(call.transcript()).toContain('Your refill of Lisinopril 10 mg has been requested. It will be ready for pickup today at 12 PM.');
    expect(call.transcript()).toContain('Is there anything else');
    const requests = await ivr.db.refillRequest.findMany({ where: { callSid: call.sid } });
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ kind: 'refill', patientId: ana.id, status: 'requested', readyAt: new Date('2026-03-03T17:00:00Z') });
    await recordsWritten(ivr.app);
    const rec = await ivr.db.callRecord.findUniqueOrThrow({ where: { callSid: call.sid } });
    expect(rec).toMatchObject({ intent: 'refill', outcome: 'self_served', verified: true });
    const events = await eventsOf(ivr, call.sid);
    expect(events.find((e) => e.type === 'input' && e.name === 'ask_rx')?.detail).toMatchObject({ rx: '*******' });
    expect(JSON.stringify(events)).not.toContain(ana.rxRefill);
    await call.press('2');
    expect(call.transcript()).toContain('Thank you for calling Careline Health. Goodbye.');
    expect(call.ended).toBe(true);
  });

  test('Twilio retrying the Rx webhook, at once or after later steps, gets the same TwiML and makes no second request; a stale step changes nothing', async () => {
    const { ana } = ivr.practice;
    const call = await ivr.call(ana.phone);
    await verifyByKeypad(call, '1', ana.dob);
    await call.press('1');
    await call.press(`${ana.rxRefill}#`);
    const rxRequest = call.requestsOf('action').find((r) => r.params.Digits === ana.rxRefill)!;
    const path = new URL(rxRequest.url).pathname + new URL(rxRequest.url).search;
    const [a, b] = await Promise.all([postSigned(ivr.app, path, rxRequest.params), postSigned(ivr.app, path, rxRequest.params)]);
    expect(a.status).toBe(200);
    expect(a.text).toBe(rxRequest.body);
    expect(b.text).toBe(rxRequest.body);
    // the same step with another Rx number (not a retry: a stale request) answers the current TwiML
    const stale = await postSigned(ivr.app, path, { ...rxRequest.params, Digits: ana.rxEmpty });
    expect(stale.status).toBe(200);
    expect(stale.text).toContain('Is there anything else');
    expect(await ivr.db.refillRequest.count({ where: { callSid: call.sid } })).toBe(1);
    // The call moves on (and ends); the very same Rx webhook delivered late still gets its own TwiML.
    await call.press('2');
    expect(call.ended).toBe(true);
    const late = await postSigned(ivr.app, path, rxRequest.params);
    expect(late.text).toBe(rxRequest.body);
    expect(await ivr.db.refillRequest.count({ where: { callSid: call.sid } })).toBe(1);
  });

  test('Spanish: Rosa hears her refill time in Spanish', async () => {
    const { rosa } = ivr.practice;
    const call = await ivr.call(rosa.phone);
    await verifyByKeypad(call, '2', rosa.dob);
    await call.speak('quiero resurtir una receta');
    expect(call.transcript()).toContain('Por favor marque su número de receta');
    await call.press('8123456#');
    expect(call.transcript()).toContain('Hemos recibido su solicitud para resurtir Metformina 500 mg. Estará lista para recoger hoy a las 12:00.');
    expect(await ivr.db.refillRequest.count({ where: { callSid: call.sid, patientId: rosa.id } })).toBe(1);
    await call.hangup();
  });

  test('after hours the refill is still self-service, ready the next business day', async () => {
    ivr.clock.at = CLOSED_AT;
    const { ana } = ivr.practice;
    const call = await ivr.call(ana.phone);
    await verifyByKeypad(call, '1', ana.dob);
    await call.press('1');
    await call.press(`${ana.rxRefill}#`);
    expect(call.transcript()).toContain('It will be ready for pickup tomorrow at 10 AM.');
    await call.hangup();
  });

  test('no refills left: a renewal request to the prescriber and an offer of a pharmacist', async () => {
    const { ana } = ivr.practice;
    const call = await ivr.call(ana.phone);
    await verifyByKeypad(call, '1', ana.dob);
    await call.press('1');
    await call.press(`${ana.rxEmpty}#`);
    expect(call.transcript()).toContain('Your prescription for Atorvastatin 20 mg has no refills left, so we have sent a renewal request to your prescriber.');
    const requests = await ivr.db.refillRequest.findMany({ where: { callSid: call.sid } });
    expect(requests.map((r) => r.kind)).toEqual(['renewal']);
    await call.press('1');
    const detail = await expectTransferred(ivr, call, 'pharmacy');
    expect(detail).toMatchObject({ skills: ['en', 'pharmacist'], verified: true });
  });

  test('the pharmacy closed while the office is open: its own hours are announced; with the office closed, the office hours', async () => {
    const pharmacy = await ivr.db.department.findUniqueOrThrow({ where: { code: 'pharmacy' } });
    // Tuesdays 8 to 10 only: closed at 10 AM, when the office is open.
    await ivr.db.businessHours.create({ data: { departmentId: pharmacy.id, dayOfWeek: 2, opens: '08:00', closes: '10:00', timeZone: 'America/New_York' } });
    forgetHoursCache(ivr.app.ctx);
    const { ana } = ivr.practice;
    // No refills left, then 1 for a pharmacist.
    const askForPharmacist = async () => {
      const call = await ivr.call(ana.phone);
      await verifyByKeypad(call, '1', ana.dob);
      await call.press('1');
      await call.press(`${ana.rxEmpty}#`);
      await call.press('1');
      return call;
    };
    try {
      const call = await askForPharmacist();
      expect(call.transcript()).toContain('Our Pharmacy department is closed right now. Its hours are Tuesday, from 8:00 AM to 10:00 AM.');
      expect(call.transcript()).not.toContain('Our office is closed');
      expect(call.queue).toBeUndefined();
      await call.hangup();

      // With the office closed too, the caller hears the office's hours.
      ivr.clock.at = CLOSED_AT;
      const night = await askForPharmacist();
      expect(night.transcript()).toContain('Our office is closed right now. Our hours are Monday to Friday');
      await night.hangup();
    } finally {
      await ivr.db.businessHours.deleteMany({ where: { departmentId: pharmacy.id } });
      forgetHoursCache(ivr.app.ctx);
    }
  });

  test('an unknown Rx number twice (here: another patient\'s) goes to a person', async () => {
    const { ana } = ivr.practice;
    const call = await ivr.call(ana.phone);
    await verifyByKeypad(call, '1', ana.dob);
    await call.press('1');
    const mark = call.heard.length;
    await call.press('8123456#');
    expect(heardSince(call, mark)).toContain('we could not find that prescription number on your account');
    expect(heardSince(call, mark)).not.toContain('Metformina');
    await call.press('1111111#');
    expect(call.transcript()).toContain('We still could not find that prescription number.');
    await expectTransferred(ivr, call, 'pharmacy');
    expect(await ivr.db.refillRequest.count({ where: { callSid: call.sid } })).toBe(0);
  });

  test('silence at the Rx prompt: asked again, then the pharmacy team', async () => {
    const { ana } = ivr.practice;
    const call = await ivr.call(ana.phone);
    await verifyByKeypad(call, '1', ana.dob);
    await call.speak('prescription refill');
    await call.silence();
    expect(call.transcript()).toContain("Sorry, I didn't hear anything.");
    await call.silence();
    await call.silence();
    await expectTransferred(ivr, call, 'pharmacy');
  });
});
