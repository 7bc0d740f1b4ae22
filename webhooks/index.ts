import { isUtf8 } from 'node:buffer';
import express, { Router } from 'express';
import type { Context } from '../src/context';
import { idempotent } from './idempotent';
import { statusRouter } from './status';
import { verifyTwilioSignature } from './twilio-signature';
import { voiceErrorHandler } from './voice-errors';
import { queueRouter } from './queue';
import { agentCallRouter } from './agent-call';
import { conferenceRouter } from './conference';
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
  // Twilio's bodies are percent-encoded UTF-8; raw bytes that are not UTF-8 come from someone else
  // (body-parser would quietly turn them into U+FFFD). body-parser answers a verify failure 403.
  const utf8Only = (_req: unknown, _res: unknown, buf: Buffer) => {
    if (!isUtf8(buf)) throw Object.assign(new Error('body is not valid UTF-8'), { type: 'encoding.invalid' });
  };
  router.use(express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 200, verify: utf8Only }));
  router.use(verifyTwilioSignature(ctx));
  router.use(idempotent(ctx));
  router.use(voiceRouter(ctx));
  router.use(flowRouter(ctx));
  router.use(statusRouter(ctx));
  router.use(fallbackRouter(ctx));
  router.use(remindersRouter(ctx));
  router.use(queueRouter(ctx));
  router.use(agentCallRouter(ctx));
  router.use(conferenceRouter(ctx));
  router.use(voiceErrorHandler(ctx));
  return router;
}
