import { loadConfig } from './config';
import { logger } from './log';
import { startRuntime } from './runtime';

// Process entry. ROLE=server|worker|all (default all: one process serves webhooks and runs workers).
async function main(): Promise<void> {
  const runtime = await startRuntime(loadConfig());
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`received ${signal}: shutting down`);
    runtime.stop().then(
      () => {
        logger.info('careline stopped');
        process.exit(0);
      },
      (err: unknown) => {
        logger.error('shutdown failed', { err });
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  logger.error('careline failed to start', { err: err instanceof Error ? err.message : String(err) });
  process.exit(1);
});
