import { loadConfig } from '../config';
import { createDb } from './client';
import { formatReport, importFhirFile } from './fhir/import';
import { logger } from '../log';

// `npm run import -- <bundle.json> [more.json ...]`: loads FHIR R4 Bundles into DATABASE_URL.
async function main(): Promise<number> {
  const files = process.argv.slice(2);
  if (!files.length) {
    console.error('usage: npm run import -- <bundle.json> [more bundles ...]');
    return 2;
  }
  const config = loadConfig();
  if (!config.DATABASE_URL) {
    console.error('DATABASE_URL is not set: set it to the PostgreSQL database to import into, or use `npm run dev`, which starts an embedded database and seeds demo data automatically.');
    return 2;
  }
  const db = createDb(config.DATABASE_URL, 2);
  try {
    for (const file of files) {
      const report = await importFhirFile(db, file, { defaultTimeZone: config.PRACTICE_TIME_ZONE });
      console.log(`${file}\n${formatReport(report)}`);
      if (report.warnings.length) console.log(`  ${report.warnings.length} entr${report.warnings.length === 1 ? 'y' : 'ies'} skipped:\n${report.warnings.map((w) => `    ${w}`).join('\n')}`);
    }
    return 0;
  } catch (err) {
    console.error(`import failed; nothing from the failing file was written: ${err instanceof Error ? err.message : String(err)}`);
    logger.debug('import failure', { err });
    return 1;
  } finally {
    await db.$disconnect();
  }
}

main().then((code) => process.exit(code));
