import { languageTag, normalizePhone, stateTimeZone, type NormalizedPhone } from './normalize';
import type { FhirCodeableConcept, FhirPatient, FhirPractitioner, FhirPractitionerRole } from './resources';
import { changedFields, fhirDate, NPI_SYSTEM, type ImportState } from './state';

type HumanName = FhirPatient['name'][number];

/** The official name (else the first usual / unlabelled one): given names joined, family name. */
export function pickName(names: HumanName[]): { givenName: string; familyName: string } {
  const n = names.find((x) => x.use === 'official') ?? names.find((x) => !x.use || x.use === 'usual') ?? names[0];
  const given = (n.given ?? []).join(' ').trim();
  const family = (n.family ?? '').trim();
  if (given || family) return { givenName: given, familyName: family };
  // Only `text`: the last word is the family name.
  const words = (n.text ?? '').trim().split(/\s+/);
  return { givenName: words.slice(0, -1).join(' '), familyName: words.at(-1) ?? '' };
}

/** physician, nurse or pharmacist from a qualification / PractitionerRole code; null when unclear. */
export function roleFromConcept(cc: FhirCodeableConcept): string | null {
  const words = [cc.text, ...(cc.coding ?? []).flatMap((c) => [c.code, c.display])].filter(Boolean).join(' ').toLowerCase();
  if (/pharm|\brph\b|46255001/.test(words)) return 'pharmacist';
  if (/nurs|\brn\b|\blpn\b|\bnp\b|224535009|106292003/.test(words)) return 'nurse';
  if (/physician|doctor|\bmd\b|\bdo\b|309343006|158965000/.test(words)) return 'physician';
  return null;
}

/** Writes Practitioners (upsert on fhirId, then NPI); PractitionerRole codes set the role. */
export async function importPractitioners(s: ImportState): Promise<void> {
  const entries = s.ofType<FhirPractitioner>('Practitioner');
  // PractitionerRole: its code gives the role, its location/organization (see DEPARTMENT_SYSTEM) the department.
  const roles = new Map<string, { role?: string; departmentId?: string }>();
  for (const { resource: pr } of s.ofType<FhirPractitionerRole>('PractitionerRole')) {
    const target = s.index.resolve(pr.practitioner?.reference);
    const role = (pr.code ?? []).map(roleFromConcept).find(Boolean) ?? undefined;
    let departmentId: string | undefined;
    for (const place of [...(pr.location ?? []), ...(pr.organization ? [pr.organization] : [])]) departmentId ??= (await s.departmentId(place)) ?? undefined;
    if (target && target.kind !== 'identifier') roles.set(target.id, { role, departmentId });
    s.count('PractitionerRole', 'skipped');
  }
  if (!entries.length) return;
  const fhirIds = entries.map((e) => e.resource.id);
  const npis = entries.map((e) => npiOf(e.resource)).filter((x): x is string => !!x);
  const existing = await s.tx.practitioner.findMany({ where: { OR: [{ fhirId: { in: fhirIds } }, { npi: { in: npis } }] } });
  const byFhirId = new Map(existing.filter((p) => p.fhirId).map((p) => [p.fhirId as string, p]));
  const byNpi = new Map(existing.filter((p) => p.npi).map((p) => [p.npi as string, p]));
  const seenNpi = new Map<string, string>(); // npi -> row id, within this bundle

  for (const { resource: p } of entries) {
    const npi = npiOf(p);
    const fromRole = roles.get(p.id);
    const role = fromRole?.role ?? (p.qualification ?? []).map((q) => roleFromConcept(q.code)).find(Boolean) ?? undefined;
    const phoneRaw = p.telecom?.find((t) => t.system === 'phone' && t.value)?.value;
    const phone = phoneRaw ? normalizePhone(phoneRaw) : null;
    const desired = { ...pickName(p.name), npi: npi ?? undefined, role, phone: phone?.dialable ? phone.e164 : undefined, departmentId: fromRole?.departmentId };
    const aliased = npi ? seenNpi.get(npi) : undefined;
    if (aliased) {
      // Same NPI under another id in this bundle: one person.
      s.remember('Practitioner', p.id, aliased);
      s.count('Practitioner', 'unchanged');
      continue;
    }
    const row = byFhirId.get(p.id) ?? (npi ? byNpi.get(npi) : undefined);
    let rowId: string;
    if (row) {
      const changes = changedFields(row, desired);
      if (Object.keys(changes).length) {
        await s.tx.practitioner.update({ where: { id: row.id }, data: changes });
        s.count('Practitioner', 'updated');
      } else s.count('Practitioner', 'unchanged');
      rowId = row.id;
    } else {
      const created = await s.tx.practitioner.create({ data: { fhirId: p.id, ...desired }, select: { id: true } });
      s.count('Practitioner', 'created');
      rowId = created.id;
    }
    if (npi) seenNpi.set(npi, rowId);
    s.remember('Practitioner', p.id, rowId);
  }
}

function npiOf(p: FhirPractitioner): string | null {
  return p.identifier?.find((i) => i.system === NPI_SYSTEM && i.value)?.value ?? null;
}

interface PhoneRow extends NormalizedPhone {
  use: string;
}

function patientPhones(p: FhirPatient): PhoneRow[] {
  const out = new Map<string, PhoneRow>();
  for (const t of p.telecom ?? []) {
    if (t.system !== 'phone' && t.system !== 'sms') continue;
    const n = t.value ? normalizePhone(t.value) : null;
    if (!n || out.has(n.e164)) continue;
    out.set(n.e164, { ...n, use: t.use === 'mobile' || t.use === 'work' ? t.use : 'home' });
  }
  return [...out.values()];
}

function patientData(p: FhirPatient, defaultTimeZone: string) {
  const preferred = p.communication?.find((c) => c.preferred) ?? p.communication?.[0];
  const home = p.address?.find((a) => a.use === 'home') ?? p.address?.[0];
  const deceasedAt = fhirDate(p.deceasedDateTime);
  return {
    ...pickName(p.name),
    birthDate: fhirDate(p.birthDate) as Date,
    preferredLanguage: languageTag(preferred?.language) ?? 'en',
    timeZone: stateTimeZone(home?.state) ?? defaultTimeZone,
    postalCode: home?.postalCode?.trim() || null,
    deceased: p.deceasedBoolean === true || deceasedAt !== null,
    deceasedAt,
  };
}

function samePhones(a: Array<{ e164: string; raw: string; use: string; dialable: boolean }>, b: PhoneRow[]): boolean {
  const key = (x: { e164: string; raw: string; use: string; dialable: boolean }) => `${x.e164}|${x.raw}|${x.use}|${x.dialable}`;
  return a.length === b.length && a.map(key).sort().join('\n') === b.map(key).sort().join('\n');
}

/** Writes Patients and their phones (upsert on fhirId); a patient without a birth date is skipped. */
export async function importPatients(s: ImportState): Promise<void> {
  const entries = s.ofType<FhirPatient>('Patient');
  if (!entries.length) return;
  const existing = await s.tx.patient.findMany({ where: { fhirId: { in: entries.map((e) => e.resource.id) } }, include: { phones: true } });
  const byFhirId = new Map(existing.map((p) => [p.fhirId as string, p]));
  for (const { index, resource: p } of entries) {
    // Identity verification needs a birth date; a patient without one cannot be served by the IVR.
    if (!p.birthDate) {
      s.skip(index, 'Patient', p.id, 'no birthDate');
      continue;
    }
    const data = patientData(p, s.defaultTimeZone);
    const phones = patientPhones(p);
    const row = byFhirId.get(p.id);
    if (!row) {
      const created = await s.tx.patient.create({ data: { fhirId: p.id, ...data, phones: { create: phones } }, select: { id: true } });
      s.remember('Patient', p.id, created.id);
      s.count('Patient', 'created');
      continue;
    }
    s.remember('Patient', p.id, row.id);
    const changes = changedFields(row, data);
    const phonesChanged = !samePhones(row.phones, phones);
    if (Object.keys(changes).length) await s.tx.patient.update({ where: { id: row.id }, data: changes });
    if (phonesChanged) {
      await s.tx.patientPhone.deleteMany({ where: { patientId: row.id } });
      await s.tx.patientPhone.createMany({ data: phones.map((ph) => ({ ...ph, patientId: row.id })) });
    }
    s.count('Patient', Object.keys(changes).length || phonesChanged ? 'updated' : 'unchanged');
  }
}
