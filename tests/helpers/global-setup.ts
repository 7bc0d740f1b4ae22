import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { DB_PREFIX, TEST_DATABASE_URL, databaseUrl } from './env';

// Once per `npm test`: a template database with every migration applied. Each test file clones
// it (CREATE DATABASE ... TEMPLATE), so files run in parallel on their own databases. Databases
// left by runs whose process is gone are dropped; a run still going keeps its own.
export default async function globalSetup(): Promise<void> {
  process.env.CARELINE_TEST_RUN = String(process.pid);
  const template = `${DB_PREFIX}${process.pid}_template`;
  const admin = new Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  const existing = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE '${DB_PREFIX}%'`);
  for (const { datname } of existing.rows) {
    const owner = /^careline_t_(\d+)_/.exec(datname)?.[1];
    if (owner && owner !== String(process.pid) && fs.existsSync(`/proc/${owner}`)) continue;
    await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  }
  await admin.query(`CREATE DATABASE "${template}"`);
  await admin.end();
  const root = path.resolve(__dirname, '../..');
  execFileSync(process.execPath, ['--no-warnings', '--experimental-wasm-modules', '--import', 'tsx', 'src/db/migrate-cli.ts', 'apply'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: databaseUrl(template) },
    stdio: 'ignore',
  });
}
