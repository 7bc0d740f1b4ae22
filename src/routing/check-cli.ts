import { loadRoutingFile, RoutingConfigError } from './config';

// `npm run routing:check [-- file.yaml]`: validates a routing file and prints every problem as
// file:line. Exit code 1 when invalid.
try {
  const cfg = loadRoutingFile(process.argv[2]);
  const filters = cfg.workflow.filters.length;
  process.stdout.write(`routing ${cfg.revision}: ${Object.keys(cfg.queues).length} queues, ${filters} filters, ${cfg.priorityRules.length} priority rules: OK\n`);
} catch (err) {
  if (!(err instanceof RoutingConfigError)) throw err;
  for (const i of err.issues) process.stderr.write(`${i.file}:${i.line}: ${i.message}\n`);
  process.exit(1);
}
