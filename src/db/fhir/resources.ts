import { z } from 'zod';

// The parts of FHIR R4 that careline reads, parsed at the boundary. Unknown keys are dropped; every
// other resource type only needs a resourceType (it is counted as skipped).

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
// FHIR dateTime: YYYY, YYYY-MM, YYYY-MM-DD or a full time with an offset.
const DATETIME_RE = /^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?)?)?$/;
const INSTANT_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

const date = z.string().regex(DATE_RE, 'expected YYYY-MM-DD').refine((s) => !Number.isNaN(Date.parse(s)), 'not a calendar date');
const dateTime = z.string().regex(DATETIME_RE, 'expected a FHIR dateTime (YYYY-MM-DDThh:mm:ss+zz:zz)');
const instant = z.string().regex(INSTANT_RE, 'expected an instant with a time zone (YYYY-MM-DDThh:mm:ssZ)');
const id = z.string().regex(/^[A-Za-z0-9\-.]{1,64}$/, 'expected a FHIR id (letters, digits, - and ., at most 64)');

const coding = z.object({ system: z.string().optional(), code: z.string().optional(), display: z.string().optional() });
const codeableConcept = z.object({ coding: z.array(coding).optional(), text: z.string().optional() });
const identifier = z.object({ system: z.string().optional(), value: z.string().optional() });
const reference = z.object({ reference: z.string().optional(), display: z.string().optional() });
const humanName = z.object({
  use: z.string().optional(),
  family: z.string().optional(),
  given: z.array(z.string()).optional(),
  text: z.string().optional(),
});
const contactPoint = z.object({ system: z.string().optional(), value: z.string().optional(), use: z.string().optional() });
const address = z.object({ use: z.string().optional(), state: z.string().optional(), postalCode: z.string().optional(), country: z.string().optional() });
const duration = z.object({ value: z.number().nonnegative(), unit: z.string().optional(), code: z.string().optional() });

export const patientSchema = z.object({
  resourceType: z.literal('Patient'),
  id,
  name: z.array(humanName).min(1, 'at least one name is required'),
  birthDate: date.optional(),
  telecom: z.array(contactPoint).optional(),
  deceasedBoolean: z.boolean().optional(),
  deceasedDateTime: dateTime.optional(),
  address: z.array(address).optional(),
  communication: z.array(z.object({ language: codeableConcept, preferred: z.boolean().optional() })).optional(),
});

export const practitionerSchema = z.object({
  resourceType: z.literal('Practitioner'),
  id,
  identifier: z.array(identifier).optional(),
  name: z.array(humanName).min(1, 'at least one name is required'),
  telecom: z.array(contactPoint).optional(),
  qualification: z.array(z.object({ code: codeableConcept })).optional(),
});

export const practitionerRoleSchema = z.object({
  resourceType: z.literal('PractitionerRole'),
  id,
  practitioner: reference.optional(),
  code: z.array(codeableConcept).optional(),
  location: z.array(reference).optional(),
  organization: reference.optional(),
});

export const medicationSchema = z.object({
  resourceType: z.literal('Medication'),
  id: id.optional(), // contained Medications may have a local id only
  code: codeableConcept.optional(),
});

export const medicationRequestSchema = z.object({
  resourceType: z.literal('MedicationRequest'),
  id,
  identifier: z.array(identifier).optional(),
  status: z.enum(['active', 'on-hold', 'cancelled', 'completed', 'entered-in-error', 'stopped', 'draft', 'unknown']),
  medicationCodeableConcept: codeableConcept.optional(),
  medicationReference: reference.optional(),
  subject: reference,
  authoredOn: dateTime.optional(),
  requester: reference.optional(),
  contained: z.array(z.looseObject({ resourceType: z.string(), id: z.string().optional() })).optional(),
  dispenseRequest: z
    .object({
      numberOfRepeatsAllowed: z.number().int().nonnegative().optional(),
      expectedSupplyDuration: duration.optional(),
    })
    .optional(),
});

export const medicationDispenseSchema = z.object({
  resourceType: z.literal('MedicationDispense'),
  id,
  status: z.string().optional(),
  authorizingPrescription: z.array(reference).optional(),
  whenHandedOver: dateTime.optional(),
  daysSupply: z.object({ value: z.number().nonnegative() }).optional(),
});

/** Location, HealthcareService or Organization: read only for a department identifier. */
export const placeSchema = z.object({
  resourceType: z.enum(['Location', 'HealthcareService', 'Organization']),
  id,
  identifier: z.array(identifier).optional(),
  name: z.string().optional(),
});

export const scheduleSchema = z.object({
  resourceType: z.literal('Schedule'),
  id,
  actor: z.array(reference).min(1, 'at least one actor is required'),
});

export const slotSchema = z.object({
  resourceType: z.literal('Slot'),
  id,
  schedule: reference,
  status: z.enum(['busy', 'free', 'busy-unavailable', 'busy-tentative', 'entered-in-error']),
  start: instant,
  end: instant,
});

export const appointmentSchema = z.object({
  resourceType: z.literal('Appointment'),
  id,
  status: z.enum(['proposed', 'pending', 'booked', 'arrived', 'fulfilled', 'cancelled', 'noshow', 'entered-in-error', 'checked-in', 'waitlist']),
  description: z.string().optional(),
  reasonCode: z.array(codeableConcept).optional(),
  start: instant.optional(),
  end: instant.optional(),
  slot: z.array(reference).optional(),
  participant: z.array(z.object({ actor: reference.optional() })).min(1, 'at least one participant is required'),
});

export type FhirPatient = z.infer<typeof patientSchema>;
export type FhirPractitioner = z.infer<typeof practitionerSchema>;
export type FhirPractitionerRole = z.infer<typeof practitionerRoleSchema>;
export type FhirMedication = z.infer<typeof medicationSchema>;
export type FhirMedicationRequest = z.infer<typeof medicationRequestSchema>;
export type FhirMedicationDispense = z.infer<typeof medicationDispenseSchema>;
export type FhirPlace = z.infer<typeof placeSchema>;
export type FhirSchedule = z.infer<typeof scheduleSchema>;
export type FhirSlot = z.infer<typeof slotSchema>;
export type FhirAppointment = z.infer<typeof appointmentSchema>;
export type FhirCodeableConcept = z.infer<typeof codeableConcept>;
export type FhirIdentifier = z.infer<typeof identifier>;
export type FhirReference = z.infer<typeof reference>;

/** A resource careline reads; anything else is `other`. */
export type KnownResource =
  | FhirPatient
  | FhirPractitioner
  | FhirPractitionerRole
  | FhirMedication
  | FhirMedicationRequest
  | FhirMedicationDispense
  | FhirPlace
  | FhirSchedule
  | FhirSlot
  | FhirAppointment;

export interface OtherResource {
  resourceType: string;
  id?: string;
  other: true;
}

export type ParsedResource = KnownResource | OtherResource;

const schemas: Record<string, z.ZodType<KnownResource>> = {
  Patient: patientSchema,
  Practitioner: practitionerSchema,
  PractitionerRole: practitionerRoleSchema,
  Medication: medicationSchema,
  MedicationRequest: medicationRequestSchema,
  MedicationDispense: medicationDispenseSchema,
  Location: placeSchema,
  HealthcareService: placeSchema,
  Organization: placeSchema,
  Schedule: scheduleSchema,
  Slot: slotSchema,
  Appointment: appointmentSchema,
};

export interface ParsedEntry {
  index: number;
  fullUrl?: string;
  resource: ParsedResource;
}

/** A bundle that failed validation; the message names the first bad entry and field. */
export class FhirValidationError extends Error {
  override name = 'FhirValidationError';
}

const entryShell = z.object({
  fullUrl: z.string().optional(),
  resource: z.looseObject({ resourceType: z.string().min(1), id: z.string().optional() }),
});
const bundleShell = z.object({
  resourceType: z.literal('Bundle'),
  type: z.string().optional(),
  entry: z.array(z.unknown()).optional(),
});

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out ? '.' : ''}${String(p)}`;
  return out;
}

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  const where = formatPath(issue.path);
  return where ? `${where}: ${issue.message}` : issue.message;
}

/**
 * Validates a whole FHIR R4 Bundle before anything is written.
 * @param input - the parsed JSON
 * @returns the entries, in bundle order, with the resources careline reads fully typed
 * @throws FhirValidationError naming the first bad resource, e.g.
 *   `entry[3].resource (Patient/abc): birthDate: expected YYYY-MM-DD`
 */
export function parseBundle(input: unknown): ParsedEntry[] {
  const shell = bundleShell.safeParse(input);
  if (!shell.success) throw new FhirValidationError(`not a FHIR Bundle: ${firstIssue(shell.error)}`);
  const entries: ParsedEntry[] = [];
  (shell.data.entry ?? []).forEach((raw, index) => {
    const e = entryShell.safeParse(raw);
    if (!e.success) throw new FhirValidationError(`entry[${index}].${firstIssue(e.error)}`);
    const { resourceType, id: rid } = e.data.resource;
    const label = `entry[${index}].resource (${resourceType}/${rid ?? '?'})`;
    const schema = schemas[resourceType];
    if (!schema) {
      entries.push({ index, fullUrl: e.data.fullUrl, resource: { resourceType, id: rid, other: true } });
      return;
    }
    const r = schema.safeParse(e.data.resource);
    if (!r.success) throw new FhirValidationError(`${label}: ${firstIssue(r.error)}`);
    entries.push({ index, fullUrl: e.data.fullUrl, resource: r.data });
  });
  return entries;
}

/** Narrows a parsed resource to one careline reads. */
export function isKnown(r: ParsedResource): r is KnownResource {
  return !('other' in r);
}
