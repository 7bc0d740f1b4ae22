import { Client } from 'pg';
import { DB_PREFIX, TEST_DATABASE_URL } from './env';

// Drops this run's databases (test files drop their own; this catches any a crash left behind).
export default async function globalTeardown(): Promise<void> {
  const admin = new Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  const mine = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE '${DB_PREFIX}${process.pid}\\_%'`);
  for (const { datname } of mine.rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  await admin.end();
}
