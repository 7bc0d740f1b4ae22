import express, { Router } from 'express';
import type { Context } from '../context';
import { campaignsRouter } from '../reminders/campaigns-api';
import { routingConfig } from '../routing/config';
import { agentsRouter } from './agents-router';
import { authRouter } from './auth';
import { callsRouter } from './calls-router';
import { apiErrorHandler } from './http-errors';
import { supervisorRouter } from './supervisor-router';

/**
 * The staff API, mounted at /api: JSON in and out, session cookie + CSRF header (see auth.ts),
 * one JSON error handler.
 */
export function apiRouter(ctx: Context): Router {
  // The routing file is validated now, at start-up, so a broken one stops the server with file:line.
  routingConfig(ctx);
  const router = Router();
  router.use(express.json({ limit: '64kb' }));
  router.use((_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });
  router.use('/auth', authRouter(ctx));
  router.use('/agents', agentsRouter(ctx));
  router.use('/calls', callsRouter(ctx));
  router.use('/supervisor', supervisorRouter(ctx));
  router.use('/campaigns', campaignsRouter(ctx));
  router.use(apiErrorHandler(ctx));
  return router;
}
