import { readFile } from 'node:fs/promises';
import type { Db } from '../client';
import type { Logger } from '../../log';
import { importMedicationDispenses, importMedicationRequests } from './medications';
import { importPatients, importPractitioners } from './people';
import { isKnown, parseBundle, FhirValidationError } from './resources';
import { importAppointments, importSchedules, importSlots } from './scheduling';
import { ImportState, type ImportCounts } from './state';

export { FhirValidationError } from './resources';
export { FhirImportError, DEPARTMENT_SYSTEM, NPI_SYSTEM, type ImportCounts } from './state';

export interface ImportOptions {
  /** Time zone of patients whose address has no known US state (PRACTICE_TIME_ZONE). */
  defaultTimeZone?: string;
  /** Receives the summary and skip warnings (ids and counts only, never PHI). */
  log?: Logger;
  /** Interactive transaction timeout; the whole bundle is one transaction. */
  timeoutMs?: number;
}

export interface ImportReport {
  /** Per resource type, in the order first seen. */
  counts: Record<string, ImportCounts>;
  /** Rows created or updated: 0 when a re-import changed nothing. */
  changes: number;
  /** Why entries were skipped (ids and field names, no PHI). */
  warnings: string[];
}

const PLACE_TYPES = new Set(['Location', 'HealthcareService', 'Organization', 'Medication']);

/**
 * Imports a FHIR R4 Bundle (Synthea output is the reference): Patient, Practitioner(Role),
 * MedicationRequest (+ MedicationDispense), Schedule, Slot, Appointment. The bundle is validated in
 * full first, then written in one transaction keyed on resource ids, so a re-import changes nothing
 * and a failure writes nothing.
 * @param db - Prisma client
 * @param bundle - the parsed JSON
 * @param options - see ImportOptions
 * @throws FhirValidationError (names the first bad entry) or FhirImportError (unresolvable reference)
 */
export async function importFhirBundle(db: Db, bundle: unknown, options: ImportOptions = {}): Promise<ImportReport> {
  const entries = parseBundle(bundle);
  const report = await db.$transaction(
    async (tx) => {
      const s = new ImportState(tx, entries, options.defaultTimeZone ?? 'America/New_York');
      for (const e of entries) s.counts[e.resource.resourceType] ??= { created: 0, updated: 0, unchanged: 0, skipped: 0 };
      await importPractitioners(s);
      await importPatients(s);
      await importSchedules(s);
      await importSlots(s);
      await importAppointments(s);
      await importMedicationRequests(s);
      await importMedicationDispenses(s);
      // Read only to resolve references (departments, medications) or not imported at all.
      for (const e of entries) if (!isKnown(e.resource) || PLACE_TYPES.has(e.resource.resourceType)) s.count(e.resource.resourceType, 'skipped');
      const changes = Object.values(s.counts).reduce((n, c) => n + c.created + c.updated, 0);
      return { counts: s.counts, changes, warnings: s.warnings };
    },
    { timeout: options.timeoutMs ?? 10 * 60_000, maxWait: 60_000 },
  );
  if (options.log) {
    for (const w of report.warnings) options.log.warn(`fhir import: ${w}`);
    options.log.info('fhir import done', { changes: report.changes, counts: report.counts });
  }
  return report;
}

/**
 * Reads a Bundle JSON file and imports it (see importFhirBundle).
 * @param db - Prisma client
 * @param file - path to the bundle
 * @param options - see ImportOptions
 */
export async function importFhirFile(db: Db, file: string, options: ImportOptions = {}): Promise<ImportReport> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new FhirValidationError(`${file}: not readable JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  return importFhirBundle(db, json, options);
}

/** The summary table printed by `npm run import`: counts only, no PHI. */
export function formatReport(report: ImportReport): string {
  const rows = Object.entries(report.counts).map(([type, c]) => `  ${type.padEnd(20)} ${String(c.created).padStart(7)} ${String(c.updated).padStart(7)} ${String(c.unchanged).padStart(9)} ${String(c.skipped).padStart(7)}`);
  const head = `  ${'resource'.padEnd(20)} ${'created'.padStart(7)} ${'updated'.padStart(7)} ${'unchanged'.padStart(9)} ${'skipped'.padStart(7)}`;
  return [head, ...rows, `  ${report.changes} change(s)`].join('\n');
}
