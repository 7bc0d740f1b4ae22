import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Db } from '../../src/db/client';
import { importFhirBundle, importFhirFile, formatReport, type ImportReport } from '../../src/db/fhir/import';
import { generatedRxNumber } from '../../src/db/fhir/normalize';
import { createTestDb, type TestDb } from '../helpers/db';

// The real Synthea bundles (see shared/fixtures/synthea/SOURCES.md), read in place, never copied.
const FIXTURES = path.resolve(__dirname, '../../../shared/fixtures/synthea');
const PRACTITIONERS = path.join(FIXTURES, 'practitionerInformation1596649672088.json');
const HOSPITALS = path.join(FIXTURES, 'hospitalInformation1596649672088.json');
const FRANKIE = path.join(FIXTURES, 'Frankie174_Jast432_a5b737fb-1f94-4767-802b-1112051f5101.json');
const KALLIE = path.join(FIXTURES, 'Kallie862_Frami345_9a0d7938-4f49-43f6-8eea-b22e1bbe1b74.json');
const FRANKIE_ID = 'a5b737fb-1f94-4767-802b-1112051f5101';
const KALLIE_ID = '9a0d7938-4f49-43f6-8eea-b22e1bbe1b74';
const FILES = [PRACTITIONERS, HOSPITALS, FRANKIE, KALLIE];

let t: TestDb;
let db: Db;
const firstReports = new Map<string, ImportReport>();

/** Every row the importer may write, with timestamps, in a stable order. */
async function snapshot(): Promise<unknown> {
  return {
    patients: await db.patient.findMany({ orderBy: { fhirId: 'asc' }, include: { phones: { orderBy: { e164: 'asc' } } } }),
    practitioners: await db.practitioner.findMany({ orderBy: { fhirId: 'asc' } }),
    prescriptions: await db.prescription.findMany({ orderBy: { fhirId: 'asc' } }),
    schedules: await db.schedule.findMany({ orderBy: { fhirId: 'asc' } }),
    slots: await db.slot.findMany({ orderBy: { fhirId: 'asc' } }),
    appointments: await db.appointment.findMany({ orderBy: { fhirId: 'asc' } }),
  };
}

async function rowCounts(): Promise<number[]> {
  return Promise.all([db.patient.count(), db.patientPhone.count(), db.practitioner.count(), db.prescription.count(), db.schedule.count(), db.slot.count(), db.appointment.count()]);
}

beforeAll(async () => {
  t = await createTestDb();
  db = t.db;
  // Synthea order: practitioners and hospitals first, then patient bundles.
  for (const f of FILES) firstReports.set(f, await importFhirFile(db, f));
});

afterAll(async () => {
  await t.drop();
});

describe('real Synthea fixtures', () => {
  it('imports the practitioner and hospital bundles (organizations are not stored)', async () => {
    expect(firstReports.get(PRACTITIONERS)!.counts.Practitioner).toEqual({ created: 18, updated: 0, unchanged: 0, skipped: 0 });
    expect(firstReports.get(HOSPITALS)!.counts.Organization).toEqual({ created: 0, updated: 0, unchanged: 0, skipped: 18 });
    const withNpi = await db.practitioner.count({ where: { npi: { not: null } } });
    expect(withNpi).toBe(18);
    // The practitioners inline in the patient bundles are the same people (same ids): not duplicated.
    expect(firstReports.get(FRANKIE)!.counts.Practitioner).toEqual({ created: 0, updated: 0, unchanged: 3, skipped: 0 });
    expect(await db.practitioner.findUnique({ where: { npi: '20' } })).toMatchObject({ fhirId: '00000173-bfbc-8987-0000-000000000014', role: 'physician' });
  });

  it('keeps fictional 555 phone numbers, normalised to E.164 but flagged undialable', async () => {
    const phones = await db.patientPhone.findMany({ include: { patient: { select: { fhirId: true } } }, orderBy: { e164: 'asc' } });
    expect(phones.map((p) => ({ fhirId: p.patient.fhirId, e164: p.e164, raw: p.raw, use: p.use, dialable: p.dialable }))).toEqual([
      { fhirId: KALLIE_ID, e164: '+15555887087', raw: '555-588-7087', use: 'home', dialable: false },
      { fhirId: FRANKIE_ID, e164: '+15557698353', raw: '555-769-8353', use: 'home', dialable: false },
    ]);
  });

  it('marks the deceased patient with the date, keeps the living one alive', async () => {
    const kallie = await db.patient.findUniqueOrThrow({ where: { fhirId: KALLIE_ID } });
    expect(kallie.deceased).toBe(true);
    expect(kallie.deceasedAt?.toISOString()).toBe('2011-09-07T02:28:07.000Z');
    expect(kallie.birthDate.toISOString().slice(0, 10)).toBe('1945-12-19');
    const frankie = await db.patient.findUniqueOrThrow({ where: { fhirId: FRANKIE_ID } });
    expect(frankie).toMatchObject({ deceased: false, deceasedAt: null, givenName: 'Frankie174', familyName: 'Jast432' });
    expect(frankie.birthDate.toISOString().slice(0, 10)).toBe('1975-08-12');
  });

  it('reads preferred languages, including one other than English or Spanish', async () => {
    expect((await db.patient.findUniqueOrThrow({ where: { fhirId: FRANKIE_ID } })).preferredLanguage).toBe('en'); // en-US
    expect((await db.patient.findUniqueOrThrow({ where: { fhirId: KALLIE_ID } })).preferredLanguage).toBe('zh');
  });

  it('derives the time zone from the address state (Massachusetts, spelled out) and keeps the postal code', async () => {
    const rows = await db.patient.findMany({ orderBy: { fhirId: 'asc' }, select: { timeZone: true, postalCode: true } });
    expect(rows).toEqual([
      { timeZone: 'America/New_York', postalCode: null }, // Kallie: no postalCode in the source
      { timeZone: 'America/New_York', postalCode: '02725' },
    ]);
  });

  it('imports every MedicationRequest with absent refill counts as null and the prescriber resolved', async () => {
    expect(await db.prescription.count({ where: { patient: { fhirId: FRANKIE_ID } } })).toBe(29);
    expect(await db.prescription.count({ where: { patient: { fhirId: KALLIE_ID } } })).toBe(24);
    expect(await db.prescription.count({ where: { refillsRemaining: { not: null } } })).toBe(0);
    expect(await db.prescription.count({ where: { daysSupply: { not: null } } })).toBe(0);
    expect(await db.prescription.count({ where: { prescriberId: null } })).toBe(0);
    expect(await db.prescription.count({ where: { status: 'active', patient: { fhirId: FRANKIE_ID } } })).toBe(1);
    expect(await db.prescription.count({ where: { status: 'active', patient: { fhirId: KALLIE_ID } } })).toBe(2);
    const active = await db.prescription.findFirstOrThrow({ where: { fhirId: '249002c3-f902-4389-b185-2e4660a531d6' }, include: { prescriber: true } });
    expect(active).toMatchObject({ drug: 'ferrous sulfate 325 MG Oral Tablet', status: 'active', refillsRemaining: null });
    expect(active.authoredAt?.toISOString()).toBe('1987-02-18T02:28:07.000Z');
    expect(active.prescriber?.npi).toBe('340');
  });

  it('generates stable 7-digit Rx numbers from the resource id (Synthea has no identifiers)', async () => {
    const rxs = await db.prescription.findMany({ select: { fhirId: true, rxNumber: true } });
    expect(rxs).toHaveLength(53);
    for (const r of rxs) {
      expect(r.rxNumber).toMatch(/^[1-9]\d{6}$/);
      expect(r.rxNumber).toBe(generatedRxNumber(r.fhirId!));
    }
    expect(new Set(rxs.map((r) => r.rxNumber)).size).toBe(53);
  });

  it('re-importing every fixture changes nothing: 0 changes, same rows, same updatedAt', async () => {
    const before = await snapshot();
    for (const f of FILES) {
      const report = await importFhirFile(db, f);
      expect(report.changes).toBe(0);
      const first = firstReports.get(f)!;
      for (const [type, c] of Object.entries(report.counts)) {
        const was = first.counts[type];
        expect(c.created + c.updated).toBe(0);
        expect(c.unchanged + c.skipped).toBe(was.created + was.updated + was.unchanged + was.skipped);
      }
    }
    expect(await snapshot()).toEqual(before);
  });

  it('prints a summary without PHI', () => {
    const text = formatReport(firstReports.get(KALLIE)!);
    expect(text).toMatch(/Patient\s+1\s+0\s+0\s+0/);
    expect(text).toMatch(/MedicationRequest\s+24\s+0\s+0\s+0/);
    expect(text).not.toMatch(/Kallie|Frami|555|1945/);
  });
});

describe('malformed bundles', () => {
  it('rejects a bad birthDate with the path of the resource and writes nothing', async () => {
    const bundle = JSON.parse(readFileSync(FRANKIE, 'utf8'));
    bundle.entry[0].resource.id = 'brand-new-patient';
    bundle.entry[0].fullUrl = 'urn:uuid:brand-new-patient';
    // A good practitioner before the bad patient: must not be written either.
    bundle.entry.unshift({ fullUrl: 'urn:uuid:p-new', resource: { resourceType: 'Practitioner', id: 'p-new', name: [{ family: 'New', given: ['Doc'] }] } });
    bundle.entry[1].resource.birthDate = '08/12/1975';
    const before = await rowCounts();
    await expect(importFhirBundle(db, bundle)).rejects.toThrow('entry[1].resource (Patient/brand-new-patient): birthDate: expected YYYY-MM-DD');
    expect(await rowCounts()).toEqual(before);
    expect(await db.practitioner.findUnique({ where: { fhirId: 'p-new' } })).toBeNull();
  });

  it('names nested fields and bad enums', async () => {
    const bad = {
      resourceType: 'Bundle',
      type: 'collection',
      entry: [
        { resource: { resourceType: 'Observation', id: 'ignored' } },
        { resource: { resourceType: 'MedicationRequest', id: 'mr-x', status: 'bogus', subject: { reference: 'Patient/x' } } },
      ],
    };
    await expect(importFhirBundle(db, bad)).rejects.toThrow(/^entry\[1\]\.resource \(MedicationRequest\/mr-x\): status: /);
    const badName = { resourceType: 'Bundle', entry: [{ resource: { resourceType: 'Patient', id: 'x', birthDate: '2000-01-01', name: [{ given: [7] }] } }] };
    await expect(importFhirBundle(db, badName)).rejects.toThrow(/^entry\[0\]\.resource \(Patient\/x\): name\[0\]\.given\[0\]: /);
    await expect(importFhirBundle(db, { resourceType: 'Patient' })).rejects.toThrow(/^not a FHIR Bundle: resourceType/);
  });

  it('rolls back everything when a reference cannot be resolved half-way through', async () => {
    const before = await rowCounts();
    const bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { fullUrl: 'urn:uuid:rb-patient', resource: { resourceType: 'Patient', id: 'rb-patient', birthDate: '1990-01-01', name: [{ family: 'Roll', given: ['Back'] }] } },
        {
          resource: {
            resourceType: 'MedicationRequest',
            id: 'rb-mr',
            status: 'active',
            medicationCodeableConcept: { text: 'aspirin 81 MG' },
            subject: { reference: 'Patient/does-not-exist' },
          },
        },
      ],
    };
    await expect(importFhirBundle(db, bundle)).rejects.toThrow('entry[1].resource (MedicationRequest/rb-mr): subject: reference Patient/does-not-exist is not in the bundle or the database');
    expect(await rowCounts()).toEqual(before);
    expect(await db.patient.findUnique({ where: { fhirId: 'rb-patient' } })).toBeNull();
  });
});

describe('references, identifiers, scheduling', () => {
  // Newer Synthea patient bundles point at the practitioner file with conditional references.
  const bundle = {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      {
        fullUrl: 'urn:uuid:cr-patient',
        resource: {
          resourceType: 'Patient',
          id: 'cr-patient',
          name: [{ use: 'official', family: 'Nguyen', given: ['Lan', 'Thi'] }],
          birthDate: '1962-03-04',
          telecom: [
            { system: 'phone', value: '(312) 744-0101', use: 'mobile' },
            { system: 'phone', value: '312-555-0142', use: 'home' },
          ],
          communication: [{ language: { text: 'Vietnamese' }, preferred: true }],
          address: [{ state: 'IL', postalCode: '60601' }],
          deceasedBoolean: false,
        },
      },
      {
        fullUrl: 'urn:uuid:cr-mr-1',
        resource: {
          resourceType: 'MedicationRequest',
          id: 'cr-mr-1',
          status: 'active',
          contained: [{ resourceType: 'Medication', id: 'med', code: { coding: [{ display: 'lisinopril 10 MG Oral Tablet' }] } }],
          medicationReference: { reference: '#med' },
          subject: { reference: 'Patient/cr-patient' },
          requester: { reference: 'Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|20' },
          authoredOn: '2024-05-01',
          dispenseRequest: { numberOfRepeatsAllowed: 3, expectedSupplyDuration: { value: 30, unit: 'days', code: 'd' } },
        },
      },
      {
        fullUrl: 'urn:uuid:cr-mr-2',
        resource: {
          resourceType: 'MedicationRequest',
          id: 'cr-mr-2',
          identifier: [{ system: 'urn:pharmacy:rx', value: 'RX-0042' }],
          status: 'stopped',
          medicationCodeableConcept: { coding: [{ display: 'metformin 500 MG' }] },
          subject: { reference: 'urn:uuid:cr-patient' },
          requester: { reference: 'Practitioner?identifier=http%3A%2F%2Fhl7.org%2Ffhir%2Fsid%2Fus-npi%7C340' },
          dispenseRequest: { numberOfRepeatsAllowed: 0, expectedSupplyDuration: { value: 12, code: 'wk' } },
        },
      },
      {
        resource: { resourceType: 'MedicationDispense', id: 'cr-md-1', status: 'completed', authorizingPrescription: [{ reference: 'MedicationRequest/cr-mr-1' }], whenHandedOver: '2024-06-01T15:00:00Z' },
      },
      { fullUrl: 'urn:uuid:cr-schedule', resource: { resourceType: 'Schedule', id: 'cr-schedule', actor: [{ reference: 'Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|20' }] } },
      { fullUrl: 'urn:uuid:cr-slot-1', resource: { resourceType: 'Slot', id: 'cr-slot-1', schedule: { reference: 'urn:uuid:cr-schedule' }, status: 'busy', start: '2030-01-07T14:00:00Z', end: '2030-01-07T14:30:00Z' } },
      { fullUrl: 'urn:uuid:cr-slot-2', resource: { resourceType: 'Slot', id: 'cr-slot-2', schedule: { reference: 'Schedule/cr-schedule' }, status: 'free', start: '2030-01-07T14:30:00Z', end: '2030-01-07T15:00:00Z' } },
      {
        resource: {
          resourceType: 'Appointment',
          id: 'cr-appt',
          status: 'booked',
          description: 'Follow-up',
          slot: [{ reference: 'Slot/cr-slot-1' }],
          participant: [{ actor: { reference: 'urn:uuid:cr-patient' } }, { actor: { reference: 'Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|20' } }],
        },
      },
    ],
  };

  let report: ImportReport;
  beforeAll(async () => {
    report = await importFhirBundle(db, bundle);
  });

  it('resolves conditional Practitioner references against practitioners imported earlier', async () => {
    const rx1 = await db.prescription.findUniqueOrThrow({ where: { fhirId: 'cr-mr-1' }, include: { prescriber: true, patient: true } });
    expect(rx1.prescriber?.npi).toBe('20');
    expect(rx1.patient.fhirId).toBe('cr-patient');
    const rx2 = await db.prescription.findUniqueOrThrow({ where: { fhirId: 'cr-mr-2' }, include: { prescriber: true } });
    expect(rx2.prescriber?.npi).toBe('340'); // URL-encoded conditional reference
  });

  it('maps drug, refills, days supply, Rx identifier and dispenses', async () => {
    const rx1 = await db.prescription.findUniqueOrThrow({ where: { fhirId: 'cr-mr-1' } });
    expect(rx1).toMatchObject({ drug: 'lisinopril 10 MG Oral Tablet', refillsRemaining: 3, daysSupply: 30, status: 'active', rxNumber: generatedRxNumber('cr-mr-1') });
    expect(rx1.lastFilledAt?.toISOString()).toBe('2024-06-01T15:00:00.000Z');
    expect(rx1.nextDueAt?.toISOString()).toBe('2024-07-01T15:00:00.000Z');
    const rx2 = await db.prescription.findUniqueOrThrow({ where: { fhirId: 'cr-mr-2' } });
    expect(rx2).toMatchObject({ drug: 'metformin 500 MG', refillsRemaining: 0, daysSupply: 84, status: 'stopped', rxNumber: 'RX-0042' });
  });

  it('maps a Vietnamese speaker in Chicago with a dialable and a fictional 555-01xx phone', async () => {
    const p = await db.patient.findUniqueOrThrow({ where: { fhirId: 'cr-patient' }, include: { phones: { orderBy: { e164: 'asc' } } } });
    expect(p).toMatchObject({ givenName: 'Lan Thi', familyName: 'Nguyen', preferredLanguage: 'vi', timeZone: 'America/Chicago', postalCode: '60601', deceased: false });
    expect(p.phones.map((x) => [x.e164, x.use, x.dialable])).toEqual([
      ['+13125550142', 'home', false],
      ['+13127440101', 'mobile', true],
    ]);
  });

  it('imports the schedule, slots and a booked appointment on its slot', async () => {
    const appt = await db.appointment.findUniqueOrThrow({ where: { fhirId: 'cr-appt' }, include: { slot: true, practitioner: true, patient: true } });
    expect(appt).toMatchObject({ status: 'booked', reason: 'Follow-up' });
    expect(appt.slot?.fhirId).toBe('cr-slot-1');
    expect(appt.slot?.status).toBe('busy');
    expect(appt.start.toISOString()).toBe('2030-01-07T14:00:00.000Z');
    expect(appt.practitioner?.npi).toBe('20');
    expect(appt.patient.fhirId).toBe('cr-patient');
    const schedule = await db.schedule.findUniqueOrThrow({ where: { fhirId: 'cr-schedule' }, include: { practitioner: true, slots: { orderBy: { start: 'asc' } } } });
    expect(schedule.practitioner?.npi).toBe('20');
    expect(schedule.slots.map((s) => s.status)).toEqual(['busy', 'free']);
    expect(report.counts.Slot).toEqual({ created: 2, updated: 0, unchanged: 0, skipped: 0 });
  });

  it('is a no-op the second time, and an edit is one update', async () => {
    const before = await snapshot();
    expect((await importFhirBundle(db, bundle)).changes).toBe(0);
    expect(await snapshot()).toEqual(before);
    const edited = structuredClone(bundle);
    (edited.entry[1].resource as { dispenseRequest: { numberOfRepeatsAllowed: number } }).dispenseRequest.numberOfRepeatsAllowed = 2;
    const r = await importFhirBundle(db, edited);
    expect(r.changes).toBe(1);
    expect(r.counts.MedicationRequest).toEqual({ created: 0, updated: 1, unchanged: 1, skipped: 0 });
    const rx1 = await db.prescription.findUniqueOrThrow({ where: { fhirId: 'cr-mr-1' } });
    expect(rx1).toMatchObject({ refillsRemaining: 2, rxNumber: generatedRxNumber('cr-mr-1') });
  });
});
