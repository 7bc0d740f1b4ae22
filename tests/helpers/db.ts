import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createDb, type Db } from '../../src/db/client';
import { DB_PREFIX, RUN_ID, TEMPLATE_DB, TEST_DATABASE_URL, databaseUrl } from './env';

export interface TestDb {
  db: Db;
  url: string;
  name: string;
  drop(): Promise<void>;
}

/**
 * A fresh, migrated database of its own for one test file (a clone of the template).
 * Call `drop()` in afterAll.
 */
export async function createTestDb(): Promise<TestDb> {
  const name = `${DB_PREFIX}${RUN_ID}_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  // CREATE DATABASE ... TEMPLATE fails while another session is cloning the same template: retry.
  for (let attempt = 0; ; attempt++) {
    try {
      await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${TEMPLATE_DB}"`);
      break;
    } catch (err) {
      if (attempt > 20 || !/being accessed by other users/.test(String(err))) throw err;
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
    }
  }
  await admin.end();
  const url = databaseUrl(name);
  const db = createDb(url, 5);
  return {
    db,
    url,
    name,
    async drop() {
      await db.$disconnect();
      const a = new Client({ connectionString: TEST_DATABASE_URL });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await a.end();
    },
  };
}
