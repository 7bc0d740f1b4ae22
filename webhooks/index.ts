import express, { Router } from 'express';
import type { Context } from '../src/context';
import { idempotent } from './idempotent';
import { statusRouter } from './status';
import { verifyTwilioSignature } from './twilio-signature';
import { voiceErrorHandler } from './voice-errors';
import { queueRouter } from './queue';
import { agentCallRouter } from './agent-call';
import { voiceRouter } from './voice';
import { flowRouter } from './flow';
import { fallbackRouter } from './fallback';
import { remindersRouter } from './reminders';

/**
 * Every Twilio-facing route, mounted at /webhooks. Order matters: body, signature, then
 * idempotency, then the routes, then the one error handler that always answers TwiML.
 */
export function webhooksRouter(ctx: Context): Router {
  const router = Router();
  router.use(express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 200 }));
  router.use(verifyTwilioSignature(ctx));
  router.use(idempotent(ctx));
  router.use(voiceRouter(ctx));
  router.use(flowRouter(ctx));
  router.use(statusRouter(ctx));
  router.use(fallbackRouter(ctx));
  router.use(remindersRouter(ctx));
  router.use(queueRouter(ctx));
  router.use(agentCallRouter(ctx));
  router.use(voiceErrorHandler(ctx));
  return router;
}
