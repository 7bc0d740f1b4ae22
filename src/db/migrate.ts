import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import { Client, Pool, type QueryResult } from 'pg';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import { PROJECT_ROOT } from '../paths';
import type { MigrationList, SchemaEngine } from '@prisma/schema-engine-wasm' with { 'resolution-mode': 'import' };

// Migrations run through Prisma's own wasm schema engine because native engines cannot be
// downloaded here. The engine keeps `_prisma_migrations`, so `prisma migrate deploy` stays valid.
// Node 20 needs `--experimental-wasm-modules` to load the engine (see package.json scripts).

const ROOT = PROJECT_ROOT;
const SCHEMA_PATH = path.join(ROOT, 'prisma/schema.prisma');
const MIGRATIONS_DIR = path.join(ROOT, 'prisma/migrations');
const NO_FILTER = { externalTables: [], externalEnums: [] };

/** Discrete fields, not a connection string: the adapter's shadow database overrides `database`. */
function pgConfig(databaseUrl: string): { host: string; port: number; user: string; password?: string; database: string } {
  const u = new URL(databaseUrl);
  return {
    host: decodeURIComponent(u.hostname),
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username || 'postgres'),
    password: u.password ? decodeURIComponent(u.password) : undefined,
    database: decodeURIComponent(u.pathname.slice(1)),
  };
}

/**
 * The engine reads catalog columns of PostgreSQL's internal `"char"` type (oid 18), which the pg
 * adapter rejects; their text value is all the engine needs, so report them as text (oid 25).
 */
class CharAsTextPool extends Pool {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override query(...args: any[]): any {
    const result = (super.query as (...a: unknown[]) => unknown)(...args);
    if (!(result instanceof Promise)) return result;
    return result.then((res: QueryResult) => {
      for (const field of res.fields ?? []) if (field.dataTypeID === 18) field.dataTypeID = 25;
      return res;
    });
  }
}

/**
 * PrismaPg's own shadow database is dropped while its pool is still connected, which fails;
 * this one closes the pool first.
 */
class ShadowSafePrismaPg extends PrismaPg {
  constructor(private readonly url: string) {
    super(new CharAsTextPool(pgConfig(url)));
  }

  override async connectToShadowDb(): ReturnType<PrismaPg['connectToShadowDb']> {
    const database = `careline_shadow_${randomUUID().replace(/-/g, '')}`;
    const admin = new Client(pgConfig(this.url));
    await admin.connect();
    await admin.query(`CREATE DATABASE "${database}"`);
    const pool = new CharAsTextPool({ ...pgConfig(this.url), database });
    const adapter = await new PrismaPg(pool).connect();
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      await dispose();
      await pool.end();
      await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      await admin.end();
    };
    return adapter;
  }
}

async function openEngine(databaseUrl: string): Promise<SchemaEngine> {
  // A real `import()` (kept by module=node16): the engine is an ES module importing a .wasm file.
  const { SchemaEngine } = await import('@prisma/schema-engine-wasm');
  const schema = fs.readFileSync(SCHEMA_PATH, 'utf8');
  const adapter = bindMigrationAwareSqlAdapterFactory(new ShadowSafePrismaPg(databaseUrl));
  return SchemaEngine.new({ datamodels: [[SCHEMA_PATH, schema]] }, () => undefined, adapter);
}

function migrationsList(): MigrationList {
  const dirs = fs.existsSync(MIGRATIONS_DIR)
    ? fs.readdirSync(MIGRATIONS_DIR).filter((d) => fs.statSync(path.join(MIGRATIONS_DIR, d)).isDirectory()).sort()
    : [];
  const lockPath = path.join(MIGRATIONS_DIR, 'migration_lock.toml');
  return {
    baseDir: MIGRATIONS_DIR,
    lockfile: { path: 'migration_lock.toml', content: fs.existsSync(lockPath) ? fs.readFileSync(lockPath, 'utf8') : null },
    shadowDbInitScript: '',
    migrationDirectories: dirs.map((d) => ({
      path: d,
      migrationFile: { path: 'migration.sql', content: { tag: 'ok', value: fs.readFileSync(path.join(MIGRATIONS_DIR, d, 'migration.sql'), 'utf8') } },
    })),
  };
}

/**
 * Applies every pending migration in prisma/migrations to the database.
 * @param databaseUrl - PostgreSQL connection string
 * @returns the names of the migrations applied now
 */
export async function applyMigrations(databaseUrl: string): Promise<string[]> {
  const engine = await openEngine(databaseUrl);
  try {
    const out = await engine.applyMigrations({ migrationsList: migrationsList(), filters: NO_FILTER });
    return out.appliedMigrationNames;
  } finally {
    engine.free();
  }
}

/**
 * Writes the next migration (committed migrations -> schema.prisma) as prisma/migrations/<stamp>_<name>.
 * Replays the existing migrations into a shadow database on the same server, then diffs it.
 * @param databaseUrl - PostgreSQL connection string (the server must allow CREATE DATABASE)
 * @param name - short snake_case description
 * @returns the new folder, or null when the schema has no changes
 */
export async function createMigration(databaseUrl: string, name: string): Promise<string | null> {
  const engine = await openEngine(databaseUrl);
  try {
    const list = migrationsList();
    const diff = await engine.diff({
      from: list.migrationDirectories.length ? { tag: 'migrations', ...list } : { tag: 'empty' },
      to: { tag: 'schemaDatamodel', files: [{ path: SCHEMA_PATH, content: fs.readFileSync(SCHEMA_PATH, 'utf8') }] },
      script: true,
      exitCode: null,
      filters: NO_FILTER,
    });
    return writeMigration(name, diff.stdout ?? '');
  } finally {
    engine.free();
  }
}

function writeMigration(name: string, sql: string): string | null {
  if (!sql.trim() || /^-- This is an empty migration/.test(sql.trim())) return null;
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  const dir = path.join(MIGRATIONS_DIR, `${stamp}_${name.replace(/[^a-z0-9_]/gi, '_')}`);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'migration.sql'), sql);
  const lock = path.join(MIGRATIONS_DIR, 'migration_lock.toml');
  if (!fs.existsSync(lock)) fs.writeFileSync(lock, '# Do not edit: written by careline db:migration\nprovider = "postgresql"\n');
  return dir;
}
