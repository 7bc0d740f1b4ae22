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
  await withAdmin(async (admin) => {
    // CREATE DATABASE ... TEMPLATE fails while another session is cloning the same template: retry.
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${TEMPLATE_DB}"`);
        return;
      } catch (err) {
        if (attempt > 20 || !/being accessed by other users/.test(String(err))) throw err;
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
      }
    }
  });
  const url = databaseUrl(name);
  const db = createDb(url, 5);
  return {
    db,
    url,
    name,
    async drop() {
      await db.$disconnect();
      await withAdmin((a) => a.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}

/** Runs `fn` on a connection to the test server's maintenance database. */
export async function withAdmin<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: TEST_DATABASE_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Stops a test database as a failover would: no new connections, every session terminated. */
export async function stopDatabase(name: string): Promise<void> {
  await withAdmin(async (c) => {
    await c.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS false`);
    await c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
  });
}

/** Lets a stopped test database take connections again. */
export async function startDatabase(name: string): Promise<void> {
  await withAdmin((c) => c.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS true`));
}
