import { loadConfig } from './config';
import { logger } from './log';
import { startRuntime, type Runtime } from './runtime';

// Process entry. ROLE=server|worker|all (default all: one process serves webhooks and runs workers).
// Signal handlers come first: a SIGTERM during start-up must still stop careline gracefully
// (and stop its private Redis), not kill it where it stands.
async function main(): Promise<void> {
  let runtime: Runtime | undefined;
  let stopping = false;
  const stop = (r: Runtime) =>
    r.stop().then(
      () => {
        logger.info('careline stopped');
        process.exit(0);
      },
      (err: unknown) => {
        logger.error('shutdown failed', { err });
        process.exit(1);
      },
    );
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`received ${signal}: shutting down`);
    if (runtime) void stop(runtime);
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  runtime = await startRuntime(loadConfig());
  if (stopping) void stop(runtime);
}

main().catch((err: unknown) => {
  logger.error('careline failed to start', { err: err instanceof Error ? err.message : String(err) });
  process.exit(1);
});
