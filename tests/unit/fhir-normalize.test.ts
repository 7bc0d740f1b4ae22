import { durationDays, generatedRxNumber, languageTag, normalizePhone, stateTimeZone } from '../../src/db/fhir/normalize';
import { ReferenceIndex } from '../../src/db/fhir/references';
import { parseBundle } from '../../src/db/fhir/resources';
import { federalHolidays } from '../../src/db/seed/calendar';

describe('normalizePhone', () => {
  it('normalises to E.164 with US as the default country', () => {
    expect(normalizePhone('(212) 631-0101')).toEqual({ e164: '+12126310101', raw: '(212) 631-0101', dialable: true });
    expect(normalizePhone('+44 20 7946 0018')?.e164).toBe('+442079460018');
  });
  it('keeps fictional numbers but flags them undialable', () => {
    expect(normalizePhone('555-588-7087')).toEqual({ e164: '+15555887087', raw: '555-588-7087', dialable: false }); // Synthea
    expect(normalizePhone('212-555-0142')).toEqual({ e164: '+12125550142', raw: '212-555-0142', dialable: false }); // 555-01xx
    expect(normalizePhone('212-555-0242')?.dialable).toBe(true);
    expect(normalizePhone('12')?.dialable).toBe(false);
    expect(normalizePhone('none')).toBeNull();
  });
});

describe('languageTag', () => {
  it('takes the primary BCP-47 subtag of a coding, else a language name', () => {
    expect(languageTag({ coding: [{ system: 'urn:ietf:bcp:47', code: 'en-US' }] })).toBe('en');
    expect(languageTag({ coding: [{ code: 'ES' }] })).toBe('es');
    expect(languageTag({ text: 'Vietnamese' })).toBe('vi');
    expect(languageTag({ text: 'Español' })).toBe('es');
    expect(languageTag({ text: 'zh-Hant' })).toBe('zh');
    expect(languageTag({ text: 'Klingon dialect' })).toBeNull();
    expect(languageTag(undefined)).toBeNull();
  });
});

describe('stateTimeZone', () => {
  it('maps abbreviations and names, case-insensitively', () => {
    expect(stateTimeZone('MA')).toBe('America/New_York');
    expect(stateTimeZone('Massachusetts')).toBe('America/New_York');
    expect(stateTimeZone('il')).toBe('America/Chicago');
    expect(stateTimeZone('California')).toBe('America/Los_Angeles');
    expect(stateTimeZone('Shanghai Municipality')).toBeNull();
  });
});

describe('durationDays and generatedRxNumber', () => {
  it('converts UCUM durations to days', () => {
    expect(durationDays({ value: 30, unit: 'days', code: 'd' })).toBe(30);
    expect(durationDays({ value: 12, code: 'wk' })).toBe(84);
    expect(durationDays({ value: 3, unit: 'mo' })).toBe(90);
    expect(durationDays({ value: 30 })).toBe(30);
    expect(durationDays({ value: 1, code: 'fortnight' })).toBeNull();
  });
  it('derives a stable 7-digit number, a different one per attempt', () => {
    const a = generatedRxNumber('249002c3-f902-4389-b185-2e4660a531d6');
    expect(a).toMatch(/^[1-9]\d{6}$/);
    expect(generatedRxNumber('249002c3-f902-4389-b185-2e4660a531d6')).toBe(a);
    expect(generatedRxNumber('249002c3-f902-4389-b185-2e4660a531d6', 1)).not.toBe(a);
  });
});

describe('ReferenceIndex', () => {
  const entries = parseBundle({
    resourceType: 'Bundle',
    entry: [
      { fullUrl: 'urn:uuid:p1', resource: { resourceType: 'Patient', id: 'p1', name: [{ family: 'X' }], birthDate: '2000-01-01' } },
      { fullUrl: 'https://fhir.example/Practitioner/dr1', resource: { resourceType: 'Practitioner', id: 'dr1', name: [{ family: 'Y' }], identifier: [{ system: 'http://hl7.org/fhir/sid/us-npi', value: '999' }] } },
      { fullUrl: 'urn:uuid:o1', resource: { resourceType: 'Organization', id: 'o1', identifier: [{ system: 'https://github.com/synthetichealth/synthea', value: 'o1-syn' }] } },
    ],
  });
  const idx = new ReferenceIndex(entries);
  it('resolves fullUrls, relative and absolute Type/id, and conditional references in the bundle', () => {
    expect(idx.resolve('urn:uuid:p1')).toMatchObject({ kind: 'entry', type: 'Patient', id: 'p1' });
    expect(idx.resolve('Patient/p1')).toMatchObject({ kind: 'entry', id: 'p1' });
    expect(idx.resolve('https://other.example/fhir/Practitioner/dr1/_history/2')).toMatchObject({ kind: 'entry', id: 'dr1' });
    expect(idx.resolve('Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|999')).toMatchObject({ kind: 'entry', id: 'dr1' });
    expect(idx.resolve('Organization?identifier=https://github.com/synthetichealth/synthea|o1-syn')).toMatchObject({ kind: 'entry', type: 'Organization', id: 'o1' });
  });
  it('describes what is not in the bundle for a database lookup', () => {
    expect(idx.resolve('Patient/elsewhere')).toEqual({ kind: 'id', type: 'Patient', id: 'elsewhere' });
    expect(idx.resolve('Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|42')).toEqual({ kind: 'identifier', type: 'Practitioner', system: 'http://hl7.org/fhir/sid/us-npi', value: '42' });
    expect(idx.resolve('#contained')).toBeNull();
    expect(idx.resolve(undefined)).toBeNull();
  });
});

describe('federalHolidays', () => {
  it('lists the eleven holidays on their observed dates', () => {
    expect(federalHolidays(2027).map((h) => `${h.date} ${h.name}`)).toEqual([
      "2027-01-01 New Year's Day",
      '2027-01-18 Birthday of Martin Luther King, Jr.',
      "2027-02-15 Washington's Birthday",
      '2027-05-31 Memorial Day',
      '2027-06-18 Juneteenth National Independence Day (observed)',
      '2027-07-05 Independence Day (observed)',
      '2027-09-06 Labor Day',
      '2027-10-11 Columbus Day',
      '2027-11-11 Veterans Day',
      '2027-11-25 Thanksgiving Day',
      '2027-12-24 Christmas Day (observed)',
    ]);
  });
});
