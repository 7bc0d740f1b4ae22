import { durationDays, generatedRxNumber } from './normalize';
import { medicationSchema, type FhirCodeableConcept, type FhirMedication, type FhirMedicationDispense, type FhirMedicationRequest } from './resources';
import { changedFields, fhirDate, FhirImportError, type ImportState } from './state';

const DAY_MS = 86_400_000;

function conceptName(cc: FhirCodeableConcept | undefined): string | null {
  return cc?.text?.trim() || cc?.coding?.find((c) => c.display?.trim())?.display?.trim() || null;
}

/** The drug name: the inline concept, else a contained or referenced Medication's code. */
export function drugName(mr: FhirMedicationRequest, s: Pick<ImportState, 'index'>): string | null {
  const inline = conceptName(mr.medicationCodeableConcept);
  if (inline) return inline;
  const ref = mr.medicationReference?.reference;
  if (!ref) return mr.medicationReference?.display?.trim() || null;
  if (ref.startsWith('#')) {
    const contained = mr.contained?.find((c) => c.resourceType === 'Medication' && c.id === ref.slice(1));
    const parsed = contained ? medicationSchema.safeParse(contained) : null;
    return (parsed?.success ? conceptName(parsed.data.code) : null) ?? mr.medicationReference?.display?.trim() ?? null;
  }
  const target = s.index.resolve(ref);
  const fromBundle = target?.kind === 'entry' && target.type === 'Medication' ? conceptName((target.resource as FhirMedication).code) : null;
  return fromBundle ?? mr.medicationReference?.display?.trim() ?? null;
}

function prescriptionStatus(status: FhirMedicationRequest['status']): string {
  switch (status) {
    case 'active':
    case 'completed':
    case 'on-hold':
      return status;
    default:
      // stopped, cancelled, unknown: never offered for refill.
      return 'stopped';
  }
}

/**
 * Writes MedicationRequests as Prescriptions. The Rx number is the first identifier value, else
 * the number already stored, else a 7-digit number derived from the resource id (see generatedRxNumber).
 */
export async function importMedicationRequests(s: ImportState): Promise<void> {
  const entries = s.ofType<FhirMedicationRequest>('MedicationRequest');
  if (!entries.length) return;
  const existing = await s.tx.prescription.findMany({ where: { fhirId: { in: entries.map((e) => e.resource.id) } } });
  const byFhirId = new Map(existing.map((r) => [r.fhirId as string, r]));
  const claimed = new Map<string, string>(); // rxNumber -> fhirId, within this run

  const rxFree = async (rx: string, fhirId: string): Promise<boolean> => {
    const mine = claimed.get(rx);
    if (mine) return mine === fhirId;
    const other = await s.tx.prescription.findUnique({ where: { rxNumber: rx }, select: { fhirId: true } });
    return !other || other.fhirId === fhirId;
  };

  for (const { index, resource: mr } of entries) {
    const label = `entry[${index}].resource (MedicationRequest/${mr.id})`;
    if (mr.status === 'entered-in-error' || mr.status === 'draft') {
      s.skip(index, 'MedicationRequest', mr.id, mr.status);
      continue;
    }
    const patientId = await s.rowId(mr.subject, ['Patient']);
    if (patientId === 'skipped') {
      s.skip(index, 'MedicationRequest', mr.id, 'its patient was skipped');
      continue;
    }
    if (!patientId) throw new FhirImportError(`${label}: subject: reference ${mr.subject.reference ?? '(none)'} is not in the bundle or the database`);
    const drug = drugName(mr, s);
    if (!drug) {
      s.skip(index, 'MedicationRequest', mr.id, 'no medication name');
      continue;
    }
    const prescriber = await s.rowId(mr.requester, ['Practitioner']);
    const row = byFhirId.get(mr.id);

    const given = mr.identifier?.find((i) => i.value?.trim())?.value?.trim();
    let rxNumber = given ?? row?.rxNumber;
    if (given && !(await rxFree(given, mr.id))) throw new FhirImportError(`${label}: identifier[0]: Rx number already belongs to another prescription`);
    for (let attempt = 0; !rxNumber; attempt++) {
      const candidate = generatedRxNumber(mr.id, attempt);
      if (await rxFree(candidate, mr.id)) rxNumber = candidate;
    }
    claimed.set(rxNumber, mr.id);

    const desired = {
      rxNumber,
      patientId,
      prescriberId: prescriber && prescriber !== 'skipped' ? prescriber : null,
      drug,
      status: prescriptionStatus(mr.status),
      refillsRemaining: mr.dispenseRequest?.numberOfRepeatsAllowed ?? null,
      daysSupply: durationDays(mr.dispenseRequest?.expectedSupplyDuration) ?? null,
      authoredAt: fhirDate(mr.authoredOn),
    };
    if (!row) {
      const created = await s.tx.prescription.create({ data: { fhirId: mr.id, ...desired }, select: { id: true } });
      s.remember('MedicationRequest', mr.id, created.id);
      s.count('MedicationRequest', 'created');
      continue;
    }
    s.remember('MedicationRequest', mr.id, row.id);
    const changes = changedFields(row, desired);
    if (Object.keys(changes).length) await s.tx.prescription.update({ where: { id: row.id }, data: changes });
    s.count('MedicationRequest', Object.keys(changes).length ? 'updated' : 'unchanged');
  }
}

/**
 * Applies MedicationDispenses: the latest completed hand-over sets the prescription's lastFilledAt,
 * and nextDueAt = lastFilledAt + days supplied. Dispenses are not stored themselves.
 */
export async function importMedicationDispenses(s: ImportState): Promise<void> {
  const entries = s.ofType<FhirMedicationDispense>('MedicationDispense');
  const latest = new Map<string, { at: Date; days: number | null; indexes: number[] }>();
  for (const { index, resource: d } of entries) {
    const at = fhirDate(d.whenHandedOver);
    if ((d.status && d.status !== 'completed') || !at) {
      s.skip(index, 'MedicationDispense', d.id, 'not a completed hand-over');
      continue;
    }
    const rx = await s.rowId(d.authorizingPrescription?.[0], ['MedicationRequest']);
    if (!rx || rx === 'skipped') {
      s.skip(index, 'MedicationDispense', d.id, 'prescription not found');
      continue;
    }
    const cur = latest.get(rx);
    const days = d.daysSupply ? Math.round(d.daysSupply.value) : null;
    if (!cur) latest.set(rx, { at, days, indexes: [index] });
    else {
      cur.indexes.push(index);
      if (at > cur.at) Object.assign(cur, { at, days });
    }
  }
  for (const [id, fill] of latest) {
    const row = await s.tx.prescription.findUnique({ where: { id } });
    if (!row) throw new FhirImportError(`entry[${fill.indexes[0]}]: prescription vanished during import`);
    const days = fill.days ?? row.daysSupply;
    const desired = { lastFilledAt: fill.at, nextDueAt: days ? new Date(fill.at.getTime() + days * DAY_MS) : null };
    const changes = changedFields(row, desired);
    if (Object.keys(changes).length) await s.tx.prescription.update({ where: { id }, data: changes });
    s.count('MedicationDispense', Object.keys(changes).length ? 'updated' : 'unchanged', fill.indexes.length);
  }
}
