import type { Prisma } from '../client';
import type { FhirReference, ParsedEntry, ParsedResource } from './resources';
import { ReferenceIndex } from './references';

/** What happened to the entries of one resource type. */
export interface ImportCounts {
  created: number;
  updated: number;
  unchanged: number;
  skipped: number;
}

export type Outcome = keyof ImportCounts;

/** Identifier system careline uses to tie a Location/HealthcareService/Organization to a Department code. */
export const DEPARTMENT_SYSTEM = 'https://careline.dev/fhir/sid/department';
export const NPI_SYSTEM = 'http://hl7.org/fhir/sid/us-npi';

/** A bundle that validated but cannot be imported (e.g. a reference to a patient that exists nowhere). */
export class FhirImportError extends Error {
  override name = 'FhirImportError';
}

export type Tx = Prisma.TransactionClient;
type Plain = string | number | boolean | Date | null | undefined;

/**
 * The fields of `desired` that differ from `existing`; `undefined` means "the source did not say:
 * keep what is there".
 */
export function changedFields<T extends Record<string, Plain>>(existing: Record<string, unknown>, desired: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(desired) as Array<[keyof T & string, Plain]>) {
    if (v === undefined) continue;
    const cur = existing[k];
    const same = v instanceof Date ? cur instanceof Date && cur.getTime() === v.getTime() : cur === v;
    if (!same) out[k] = v as T[keyof T & string];
  }
  return out;
}

/** Parses a FHIR date or dateTime (partial dates start at their first day, UTC). */
export function fhirDate(s: string | undefined): Date | null {
  if (!s) return null;
  const full = s.length === 4 ? `${s}-01-01` : s.length === 7 ? `${s}-01` : s;
  const d = new Date(full.length === 10 ? `${full}T00:00:00Z` : full);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** Shared state of one import run: the transaction, reference index, row ids and counts. */
export class ImportState {
  readonly index: ReferenceIndex;
  readonly counts: Record<string, ImportCounts> = {};
  readonly warnings: string[] = [];
  /** `Type/fhirId` -> row id, for resources written (or found unchanged) in this run. */
  private readonly rowIds = new Map<string, string>();
  /** `Type/fhirId` of entries skipped in this run: what depends on them is skipped too. */
  private readonly skippedKeys = new Set<string>();
  private readonly lookups = new Map<string, string | null>();

  constructor(
    readonly tx: Tx,
    readonly entries: ParsedEntry[],
    readonly defaultTimeZone: string,
  ) {
    this.index = new ReferenceIndex(entries);
  }

  /** The entries of some resource types, with their bundle index. */
  ofType<T extends ParsedResource>(...types: string[]): Array<{ index: number; resource: T }> {
    return this.entries.filter((e) => types.includes(e.resource.resourceType)).map((e) => ({ index: e.index, resource: e.resource as T }));
  }

  count(type: string, outcome: Outcome, n = 1): void {
    const c = (this.counts[type] ??= { created: 0, updated: 0, unchanged: 0, skipped: 0 });
    c[outcome] += n;
  }

  /** Records a skipped entry; the reason must not hold PHI (ids and field names only). */
  skip(index: number, type: string, id: string | undefined, reason: string): void {
    this.count(type, 'skipped');
    if (id) this.skippedKeys.add(`${type}/${id}`);
    this.warnings.push(`entry[${index}] (${type}/${id ?? '?'}) skipped: ${reason}`);
  }

  remember(type: string, fhirId: string, rowId: string): void {
    this.rowIds.set(`${type}/${fhirId}`, rowId);
  }

  /**
   * The row id a reference points to: a resource of this bundle, or one imported before.
   * @param ref - the FHIR reference
   * @param types - resource types acceptable here
   * @returns the row id, `skipped` when it points at a skipped entry, null when unresolved
   */
  async rowId(ref: FhirReference | undefined, types: string[]): Promise<string | 'skipped' | null> {
    const target = this.index.resolve(ref?.reference);
    if (!target || !types.includes(target.type)) return null;
    if (target.kind === 'entry' || target.kind === 'id') {
      const key = `${target.type}/${target.id}`;
      if (this.skippedKeys.has(key)) return 'skipped';
      const known = this.rowIds.get(key);
      if (known) return known;
      return this.lookup(key, () => this.findByFhirId(target.type, target.id));
    }
    if (target.type === 'Practitioner' && target.system === NPI_SYSTEM) {
      const found = await this.lookup(`npi|${target.value}`, async () => (await this.tx.practitioner.findUnique({ where: { npi: target.value }, select: { id: true } }))?.id ?? null);
      return found;
    }
    return null;
  }

  /**
   * The Department a reference names through a department identifier (`DEPARTMENT_SYSTEM|code`),
   * either on the referenced Location/HealthcareService/Organization or in a conditional reference.
   */
  async departmentId(ref: FhirReference | undefined): Promise<string | null> {
    const target = this.index.resolve(ref?.reference);
    if (!target) return null;
    let code: string | undefined;
    if (target.kind === 'identifier' && target.system === DEPARTMENT_SYSTEM) code = target.value;
    if (target.kind === 'entry') {
      const ids = (target.resource as { identifier?: Array<{ system?: string; value?: string }> }).identifier ?? [];
      code = ids.find((i) => i.system === DEPARTMENT_SYSTEM)?.value;
    }
    if (!code) return null;
    const c = code;
    return this.lookup(`department|${c}`, async () => (await this.tx.department.findUnique({ where: { code: c }, select: { id: true } }))?.id ?? null);
  }

  private async lookup(key: string, find: () => Promise<string | null>): Promise<string | null> {
    if (!this.lookups.has(key)) this.lookups.set(key, await find());
    return this.lookups.get(key) ?? null;
  }

  private async findByFhirId(type: string, fhirId: string): Promise<string | null> {
    const where = { where: { fhirId }, select: { id: true } } as const;
    switch (type) {
      case 'Patient':
        return (await this.tx.patient.findUnique(where))?.id ?? null;
      case 'Practitioner':
        return (await this.tx.practitioner.findUnique(where))?.id ?? null;
      case 'Schedule':
        return (await this.tx.schedule.findUnique(where))?.id ?? null;
      case 'Slot':
        return (await this.tx.slot.findUnique(where))?.id ?? null;
      case 'MedicationRequest':
        return (await this.tx.prescription.findUnique(where))?.id ?? null;
      default:
        return null;
    }
  }
}
