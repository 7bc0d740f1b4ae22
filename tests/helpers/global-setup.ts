import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { Client } from 'pg';
import { TEMPLATE_DB, TEST_DATABASE_URL, databaseUrl } from './env';

// Once per `npm test`: a template database with every migration applied. Each test file clones
// it (CREATE DATABASE ... TEMPLATE), so files run in parallel on their own databases.
export default async function globalSetup(): Promise<void> {
  const admin = new Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  const stale = await admin.query(`SELECT datname FROM pg_database WHERE datname LIKE 'careline_t_%'`);
  for (const row of stale.rows) await admin.query(`DROP DATABASE IF EXISTS "${row.datname}" WITH (FORCE)`);
  await admin.query(`DROP DATABASE IF EXISTS "${TEMPLATE_DB}" WITH (FORCE)`);
  await admin.query(`CREATE DATABASE "${TEMPLATE_DB}"`);
  await admin.end();
  const root = path.resolve(__dirname, '../..');
  execFileSync(process.execPath, ['--no-warnings', '--experimental-wasm-modules', '--import', 'tsx', 'src/db/migrate-cli.ts', 'apply'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: databaseUrl(TEMPLATE_DB) },
    stdio: 'inherit',
  });
}
