import express, { type Express } from 'express';
import { webhooksRouter } from '../webhooks';
import { apiRouter } from './agents/api';
import { consoleRouter } from './console';
import { reportsPageRouter } from './console/reports/serve';
import { recordsApiRouter } from './records/api-router';
import type { Context } from './context';
import { checkHealth } from './health';

/**
 * Builds the HTTP app: Twilio webhooks, the staff API and console, and /healthz.
 * @param ctx - the process's dependencies
 */
export function createApp(ctx: Context): Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', async (_req, res) => {
    const health = await checkHealth(ctx);
    res.status(health.ok ? 200 : 503).json(health);
  });
  app.use('/webhooks', webhooksRouter(ctx));
  app.use('/api', recordsApiRouter(ctx));
  app.use('/api', apiRouter(ctx));
  app.use('/console/reports', reportsPageRouter());
  app.use('/console', consoleRouter(ctx));
  app.use((_req, res) => {
    res.status(404).type('text/plain').send('Not found');
  });
  return app;
}
