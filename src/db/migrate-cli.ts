import { applyMigrations, createMigration } from './migrate';

// `npm run db:migrate` and `npm run db:migration -- <name>`; DATABASE_URL names the database.
async function main(): Promise<void> {
  const [command, name] = process.argv.slice(2);
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is required');
  if (command === 'apply') {
    const applied = await applyMigrations(url);
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
  } else if (command === 'create') {
    if (!name) throw new Error('usage: npm run db:migration -- <name>');
    const dir = await createMigration(url, name);
    console.log(dir ? `wrote ${dir}/migration.sql` : 'schema unchanged: no migration written');
  } else {
    throw new Error('usage: migrate-cli apply | create <name>');
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
