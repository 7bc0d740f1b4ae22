import { recordsWritten } from '../helpers/app';
import { eventsOf, expectTransferred, heardSince, startIvr, type Ivr } from './ivr-harness';

// Identification and verification on the inbound line, in English and Spanish, by keypad and speech.
let ivr: Ivr;
beforeAll(async () => {
  ivr = await startIvr();
});
afterAll(async () => {
  await ivr.close();
});

describe('greeting, language and verification', () => {
  test('English by keypad: emergency notice, DOB keyed MMDDYYYY, no PHI before verification, masked in events', async () => {
    const { ana } = ivr.practice;
    const call = await ivr.call(ana.phone);
    expect(call.transcript()).toContain('If this is a medical emergency, hang up and dial 911.');
    expect(call.transcript()).toContain('Si se trata de una emergencia médica, cuelgue y marque el 911.');
    expect(call.gather?.language).toBe('en-US');
    await call.press('1');
    const beforeVerified = call.transcript();
    expect(beforeVerified).toMatch(/enter your date of birth/);
    await call.press(ana.dob);
    expect(beforeVerified).not.toMatch(/Ana|Okafor|Lisinopril/);
    expect(heardSince(call, 0)).toContain('Thank you, Ana. You are verified.');
    expect(call.transcript()).toContain('For prescription refills, press 1.');
    await recordsWritten(ivr.app);
    const rec = await ivr.db.callRecord.findUniqueOrThrow({ where: { callSid: call.sid } });
    expect(rec).toMatchObject({ language: 'en', patientId: ana.id, verified: true });
    const events = await eventsOf(ivr, call.sid);
    expect(events.map((e) => e.name)).toEqual(expect.arrayContaining(['greeting', 'language', 'identify', 'ask_dob', 'check_candidates', 'verified', 'main_menu']));
    const dobInput = events.find((e) => e.type === 'input' && e.name === 'ask_dob');
    expect(dobInput?.detail).toMatchObject({ dob: '********', valid: true });
    expect(JSON.stringify(events)).not.toMatch(/03071984|1984/);
    await call.hangup();
  });

  test('Spanish by speech: "español", a spoken date of birth, es-US voice and recogniser', async () => {
    const { rosa } = ivr.practice;
    const call = await ivr.call(rosa.phone);
    await call.speak('español');
    expect(call.gather?.language).toBe('es-US');
    expect(call.heard[call.heard.length - 1]).toMatchObject({ voice: 'Polly.Lupe', language: 'es-US' });
    expect(call.transcript()).toContain('marque su fecha de nacimiento');
    await call.speak('23 de noviembre de 1951');
    expect(call.transcript()).toContain('Gracias, Rosa. Su identidad ha sido verificada.');
    expect(call.transcript()).toContain('Para resurtir una receta, oprima 1.');
    expect(call.gather).toMatchObject({ language: 'es-US', hints: expect.stringContaining('resurtir') });
    expect(call.gather?.hints).not.toContain('refill');
    await recordsWritten(ivr.app);
    const rec = await ivr.db.callRecord.findUniqueOrThrow({ where: { callSid: call.sid } });
    expect(rec).toMatchObject({ language: 'es', patientId: rosa.id, verified: true });
    await call.hangup();
  });

  test('English DOB spoken ("March 7th, 1984")', async () => {
    const call = await ivr.call(ivr.practice.ana.phone);
    await call.speak('English');
    await call.speak('March 7th, 1984');
    expect(call.transcript()).toContain('Thank you, Ana.');
    await call.hangup();
  });

  test('unknown caller ID: DOB plus the phone on file verifies', async () => {
    const { ana } = ivr.practice;
    const call = await ivr.call('+19175550123');
    await call.press('1');
    await call.press(ana.dob);
    expect(call.transcript()).toContain('press 1 to enter the phone number we have on file');
    await call.press('1');
    await call.press('2125550101');
    expect(call.transcript()).toContain('Thank you, Ana.');
    await recordsWritten(ivr.app);
    const rec = await ivr.db.callRecord.findUniqueOrThrow({ where: { callSid: call.sid } });
    expect(rec).toMatchObject({ patientId: ana.id, verified: true });
    const factor = (await eventsOf(ivr, call.sid, 'input')).find((e) => e.name === 'ask_phone');
    expect(factor?.detail).toMatchObject({ factor: '***********' });
    await call.hangup();
  });

  test('a phone shared by two patients: DOB plus ZIP by speech picks the right one', async () => {
    const { shared } = ivr.practice;
    const call = await ivr.call(shared.phone);
    await call.press('1');
    await call.speak('June 15, 2010');
    expect(call.transcript()).toContain('press 2 to enter your ZIP code');
    await call.speak('zip code');
    await call.speak('6 0 6 0 1');
    expect(call.transcript()).toContain('Thank you, Leo.');
    await recordsWritten(ivr.app);
    const rec = await ivr.db.callRecord.findUniqueOrThrow({ where: { callSid: call.sid } });
    expect(rec).toMatchObject({ patientId: shared.ids[0], verified: true });
    await call.hangup();
  });

  test('caller ID alone never verifies: three wrong dates of birth go to a person, unverified', async () => {
    const call = await ivr.call(ivr.practice.ana.phone);
    await call.press('1');
    await call.press('01011990');
    expect(call.transcript()).toContain('we could not verify that information');
    await call.press('02021990');
    await call.press('03031990');
    expect(call.transcript()).toContain('Let me connect you with someone who can help.');
    expect(call.transcript()).not.toMatch(/Ana|For prescription refills/);
    const detail = await expectTransferred(ivr, call, 'general');
    expect(detail).toMatchObject({ verified: false, skills: ['en'] });
    await recordsWritten(ivr.app);
    const rec = await ivr.db.callRecord.findUniqueOrThrow({ where: { callSid: call.sid } });
    expect(rec.verified).toBe(false);
    expect(rec.patientId).toBeNull();
  });

  test('five failed verifications within an hour lock self-service (audited); the right DOB then reaches a person', async () => {
    const p = await ivr.db.patient.create({
      data: { givenName: 'Lena', familyName: 'Voss', birthDate: new Date('1970-05-05'), phones: { create: { e164: '+16465550177', raw: '646-555-0177' } } },
    });
    const first = await ivr.call('+16465550177');
    await first.press('1');
    for (const d of ['01011971', '01011972', '01011973']) await first.press(d);
    const second = await ivr.call('+16465550177');
    await second.press('1');
    await second.press('01011974');
    expect((await ivr.db.patient.findUniqueOrThrow({ where: { id: p.id } })).selfServiceLockedUntil).toBeNull();
    await second.press('01011975');
    expect(second.transcript()).toContain('phone self-service is not available for this account');
    const locked = await ivr.db.patient.findUniqueOrThrow({ where: { id: p.id } });
    expect(locked.selfServiceLockedUntil!.getTime()).toBeGreaterThan(ivr.clock.now().getTime());
    const audit = await ivr.db.auditEntry.findMany({ where: { patientId: p.id }, orderBy: { at: 'asc' } });
    expect(audit.filter((a) => a.action === 'verify_failed')).toHaveLength(5);
    expect(audit.filter((a) => a.action === 'lockout')).toHaveLength(1);
    await expectTransferred(ivr, second, 'general');

    const third = await ivr.call('+16465550177');
    await third.press('1');
    await third.press('05051970');
    expect(third.transcript()).toContain('phone self-service is not available');
    expect(third.transcript()).not.toContain('Lena');
    await recordsWritten(ivr.app);
    const rec = await ivr.db.callRecord.findUniqueOrThrow({ where: { callSid: third.sid } });
    expect(rec.verified).toBe(false);
  });

  test('a deceased patient is never verified, even with the right date of birth and phone', async () => {
    const { ghost } = ivr.practice;
    const call = await ivr.call(ghost.phone);
    await call.press('1');
    await call.press(ghost.dob);
    // caller ID matched no living patient: a second factor is asked, and still nobody matches
    await call.press('1');
    await call.press('4155550104');
    expect(call.transcript()).toContain('we could not verify that information');
    expect(call.transcript()).not.toContain('Walter');
    await recordsWritten(ivr.app);
    const rec = await ivr.db.callRecord.findUniqueOrThrow({ where: { callSid: call.sid } });
    expect(rec.verified).toBe(false);
    await call.hangup();
  });
});

describe('global keys and retries', () => {
  test('* repeats the menu, 0 reaches a person from inside verification', async () => {
    const call = await ivr.call(ivr.practice.ana.phone);
    await call.press('1');
    await call.press(ivr.practice.ana.dob);
    const mark = call.heard.length;
    await call.press('*');
    expect(heardSince(call, mark)).toContain('For prescription refills, press 1.');
    await call.press('2');
    await call.press('0');
    expect(call.transcript()).toContain('Please hold while we connect you');
    const detail = await expectTransferred(ivr, call, 'general');
    expect(detail).toMatchObject({ verified: true, skills: ['en'] });
  });

  test('saying "representante" during the date of birth reaches a Spanish-speaking person', async () => {
    const call = await ivr.call(ivr.practice.rosa.phone);
    await call.press('2');
    await call.speak('quiero un representante');
    expect(call.transcript()).toContain('Por favor espere mientras le comunicamos');
    const detail = await expectTransferred(ivr, call, 'general');
    expect(detail).toMatchObject({ verified: false, skills: ['es'] });
  });

  test('silence and a wrong key at the language menu: apologies, then English by default', async () => {
    const call = await ivr.call(ivr.practice.ana.phone);
    await call.silence();
    expect(call.transcript()).toContain("Sorry, I didn't hear anything.");
    await call.press('7');
    expect(call.transcript()).toContain("Sorry, I didn't understand that.");
    await call.press('9');
    expect(call.transcript()).toContain('enter your date of birth');
    await call.hangup();
    expect(call.errors).toEqual([]);
  });
});
