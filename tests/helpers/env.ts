// Where the tests find PostgreSQL and Redis (real servers; CI starts them if they are down).
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

// One `npm test` run's databases carry its id (the jest parent's pid, set by global-setup.ts), so
// runs side by side on one server never drop each other's databases.
export const RUN_ID = process.env.CARELINE_TEST_RUN ?? String(process.pid);
export const DB_PREFIX = 'careline_t_';
export const TEMPLATE_DB = `${DB_PREFIX}${RUN_ID}_template`;

/** The same server URL pointing at another database. */
export function databaseUrl(name: string): string {
  const u = new URL(TEST_DATABASE_URL);
  u.pathname = `/${name}`;
  return u.toString();
}
