import { Router, type Request } from 'express';
import { z } from 'zod';
import { agentIdentity } from '../src/agents/voice-token';
import type { Context } from '../src/context';
import { applyStatusCallback } from '../src/records/call-status';
import { routingConfig } from '../src/routing/config';
import { abandonTask, agentLegAnswered, conversationEnded, declinedOnPhone, ringNoAnswer } from '../src/routing/handling';
import { enqueueTwiml } from '../src/routing/hold';
import { queueLanguage, queuePrompts, VOICES } from '../src/routing/prompts';
import { getTask, type RoutingTask } from '../src/routing/task-store';
import { absoluteUrl, VoiceResponse } from '../src/telephony/twiml';
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
const dialedParams = callParams.extend({
  DialCallStatus: z.enum(['completed', 'answered', 'busy', 'no-answer', 'failed', 'canceled']),
  DialCallSid: z.string().max(64).optional(),
  DialCallDuration: z.coerce.number().int().min(0).optional(),
});

function parseQuery(req: Request) {
  const q = query.safeParse(req.query);
  if (!q.success) throw new BadRequest(`malformed routing URL: ${q.error.issues.map((i) => i.path.join('.')).join(', ')}`);
  return q.data;
}

/**
 * `<Dial><Client>` to the agent, with the screen-pop facts as `<Parameter>`s (the SDK's
 * customParameters). The client leg's own `answered` status callback is Twilio's word that the
 * agent picked up, whether or not the console's Accept ever arrives.
 */
function dialAgent(ctx: Context, r: InstanceType<typeof VoiceResponse>, task: RoutingTask, agentId: string, attempt: number, extra: Record<string, string> = {}): void {
  const q = `task=${encodeURIComponent(task.id)}&agent=${encodeURIComponent(agentId)}&a=${attempt}`;
  const action = absoluteUrl(ctx.config, `/webhooks/agent-call/dialed?${q}`);
  const dial = r.dial({ timeout: routingConfig(ctx).ringTimeoutSec, action, method: 'POST', callerId: task.pop.from && /^\+\d+$/.test(task.pop.from) ? task.pop.from : undefined });
  const client = dial.client({ statusCallback: absoluteUrl(ctx.config, `/webhooks/agent-call/answered?${q}`), statusCallbackEvent: ['answered'], statusCallbackMethod: 'POST' });
  client.identity(agentIdentity(agentId));
  const params: Record<string, string> = { taskId: task.id, kind: task.kind, queue: task.queue, language: task.language, reason: task.reason, ...extra };
  for (const [name, value] of Object.entries(params)) client.parameter({ name, value });
}

/**
 * The agent leg: `/agent-call/connect` (a reserved caller, dequeued here by REST, rings the agent),
 * `/agent-call/dialed` (Dial action: answered and ended, declined, ring-no-answer, caller gone),
 * `/agent-call/answered` (the agent's leg answered, by its own status callback),
 * `/agent-call/requeue` (back into the queue), `/agent-call/callback` (the patient answered a
 * callback), `/agent-call/callback-status` (the callback's status: unanswered -> wrap-up),
 * `/agent-call/hold` (music while on hold), `/agent-call/external` (transfer out).
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
        if (task.state === 'reserved') r.say(VOICES[lang], queuePrompts.connecting(lang));
        dialAgent(ctx, r, task, task.agentId, q.a, task.state === 'connected' ? { resume: '1' } : {});
      } else {
        return void res.type('text/xml').send(enqueueTwiml(ctx, task.queue, task.id, task.attempts));
      }
      res.type('text/xml').send(r.toString());
    }),
  );

  router.post(
    '/agent-call/dialed',
    asyncHandler(async (req, res) => {
      const p = parseParams(dialedParams, req);
      const q = parseQuery(req);
      const agentId = q.agent ?? '';
      const task = await getTask(ctx, q.task);
      const r = new VoiceResponse();
      const lang = queueLanguage(task?.language);
      if (!task) {
        r.hangup();
        return void res.type('text/xml').send(r.toString());
      }
      switch (p.DialCallStatus) {
        case 'completed':
        case 'answered':
          // Twilio: the agent's leg answered and was bridged. Normally the leg's answered callback
          // said so already; if it was lost, this is the answer (DialCallDuration seconds ago).
          await agentLegAnswered(ctx, task.id, agentId, new Date(ctx.clock.now().getTime() - (p.DialCallDuration ?? 0) * 1000));
          await conversationEnded(ctx, task.id, agentId);
          r.say(VOICES[lang], queuePrompts.goodbye(lang));
          r.hangup();
          break;
        case 'canceled':
          // The caller hung up while the agent's phone rang.
          await abandonTask(ctx, task.id);
          r.hangup();
          break;
        case 'busy':
          // Declined on the phone: back to the queue, not offered to that agent again.
          await declinedOnPhone(ctx, task.id, agentId);
          return void res.type('text/xml').send(await requeueTwiml(ctx, task.id));
        default:
          await ringNoAnswer(ctx, task.id, agentId);
          return void res.type('text/xml').send(await requeueTwiml(ctx, task.id));
      }
      res.type('text/xml').send(r.toString());
    }),
  );

  router.post(
    '/agent-call/answered',
    asyncHandler(async (req, res) => {
      const p = parseParams(statusParams, req);
      const q = parseQuery(req);
      // The `<Client>` leg's status callback (statusCallbackEvent=answered): CallSid is the agent's leg.
      // Stamped with careline's clock, like the queue entry and exit the wait is measured from.
      if (p.CallStatus === 'in-progress' && q.agent) await agentLegAnswered(ctx, q.task, q.agent, ctx.clock.now());
      res.type('text/xml').send(new VoiceResponse().toString());
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
      } else {
        const lang = queueLanguage(task.language);
        r.say(VOICES[lang], queuePrompts.callbackGreeting(lang, ctx.config.PRACTICE_NAME));
        dialAgent(ctx, r, task, task.agentId, q.a, { callback: '1' });
      }
      res.type('text/xml').send(r.toString());
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
    '/agent-call/hold',
    asyncHandler(async (req, res) => {
      parseParams(callParams, req);
      const q = parseQuery(req);
      const task = await getTask(ctx, q.task);
      const lang = queueLanguage(task?.language);
      const r = new VoiceResponse();
      r.say(VOICES[lang], queuePrompts.onHold(lang));
      r.play({ loop: 0 }, routingConfig(ctx).holdMusicUrl);
      res.type('text/xml').send(r.toString());
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
