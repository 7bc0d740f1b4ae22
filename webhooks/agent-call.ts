import { Router, type Request } from 'express';
import { z } from 'zod';
import type { Context } from '../src/context';
import { applyStatusCallback } from '../src/records/call-status';
import { callerJoinTwiml, connectCallback } from '../src/routing/conference';
import { conversationEnded } from '../src/routing/handling';
import { enqueueTwiml } from '../src/routing/hold';
import { queueLanguage, queuePrompts, VOICES } from '../src/routing/prompts';
import { getTask } from '../src/routing/task-store';
import { VoiceResponse } from '../src/telephony/twiml';
import { asyncHandler } from './async';
import { BadRequest, callParams, parseParams, statusParams, statusUpdateOf } from './params';

const id = z.string().regex(/^[\w~-]{1,120}$/);
const query = z.object({
  task: id,
  agent: id.optional(),
  a: z.coerce.number().int().min(0).default(0),
  n: z.coerce.number().int().min(0).default(0),
  to: z.string().regex(/^\+[1-9]\d{6,14}$/).optional(),
});

function parseQuery(req: Request) {
  const q = query.safeParse(req.query);
  if (!q.success) throw new BadRequest(`malformed routing URL: ${q.error.issues.map((i) => i.path.join('.')).join(', ')}`);
  return q.data;
}

/**
 * The caller's way to an agent: `/agent-call/connect` (a reserved caller, dequeued here by REST,
 * joins the conversation's conference), `/agent-call/requeue` (back into the queue),
 * `/agent-call/callback` (the patient answered a callback: into a conference with the agent),
 * `/agent-call/callback-status` (the callback's status: unanswered -> wrap-up),
 * `/agent-call/external` (cold transfer to a number).
 */
export function agentCallRouter(ctx: Context): Router {
  const router = Router();

  router.post(
    '/agent-call/connect',
    asyncHandler(async (req, res) => {
      const p = parseParams(callParams, req);
      const q = parseQuery(req);
      const task = await getTask(ctx, q.task);
      const r = new VoiceResponse();
      if (!task || task.callSid !== p.CallSid) {
        r.say(VOICES.en, queuePrompts.goodbye('en'));
        r.hangup();
      } else if ((task.state === 'reserved' || task.state === 'connected') && task.agentId && task.agentId === q.agent) {
        const lang = queueLanguage(task.language);
        return void res.type('text/xml').send(callerJoinTwiml(ctx, task, q.a, queuePrompts.connecting(lang)));
      } else {
        return void res.type('text/xml').send(enqueueTwiml(ctx, task.queue, task.id, task.attempts));
      }
      res.type('text/xml').send(r.toString());
    }),
  );

  router.post(
    '/agent-call/requeue',
    asyncHandler(async (req, res) => {
      parseParams(callParams, req);
      const q = parseQuery(req);
      res.type('text/xml').send(await requeueTwiml(ctx, q.task));
    }),
  );

  router.post(
    '/agent-call/callback',
    asyncHandler(async (req, res) => {
      parseParams(callParams, req);
      const q = parseQuery(req);
      const task = await getTask(ctx, q.task);
      const r = new VoiceResponse();
      if (!task || !task.agentId || task.agentId !== q.agent) {
        r.hangup();
        return void res.type('text/xml').send(r.toString());
      }
      const lang = queueLanguage(task.language);
      res.type('text/xml').send(await connectCallback(ctx, task, task.agentId, q.a, queuePrompts.callbackGreeting(lang, ctx.config.PRACTICE_NAME)));
    }),
  );

  router.post(
    '/agent-call/callback-status',
    asyncHandler(async (req, res) => {
      const p = parseParams(statusParams, req);
      const q = parseQuery(req);
      // The call record hears of it as from /webhooks/status; routing also learns of a callback nobody answered.
      await applyStatusCallback(ctx, statusUpdateOf(p, ctx.clock.now()));
      if (['busy', 'no-answer', 'failed', 'canceled'].includes(p.CallStatus) && q.agent) await conversationEnded(ctx, q.task, q.agent);
      res.type('text/xml').send(new VoiceResponse().toString());
    }),
  );

  router.post(
    '/agent-call/external',
    asyncHandler(async (req, res) => {
      parseParams(callParams, req);
      const q = parseQuery(req);
      if (!q.to) throw new BadRequest('missing transfer number');
      const r = new VoiceResponse();
      r.dial({ callerId: ctx.config.CARELINE_PHONE_NUMBER, timeout: 30 }, q.to);
      res.type('text/xml').send(r.toString());
    }),
  );

  return router;
}

async function requeueTwiml(ctx: Context, taskId: string): Promise<string> {
  const task = await getTask(ctx, taskId);
  if (!task || (task.state !== 'waiting' && task.state !== 'reserved')) {
    const r = new VoiceResponse();
    r.say(VOICES.en, queuePrompts.goodbye(queueLanguage(task?.language)));
    r.hangup();
    return r.toString();
  }
  return enqueueTwiml(ctx, task.queue, task.id, task.attempts);
}
