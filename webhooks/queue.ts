import { Router, type Request } from 'express';
import { z } from 'zod';
import type { Context } from '../src/context';
import { recordCallbackTask } from '../src/records/callback-task-write';
import { dispatch } from '../src/routing/dispatch';
import { abandonTask, leaveForVoicemail } from '../src/routing/handling';
import { waitTwiml } from '../src/routing/hold';
import { queueLanguage, queuePrompts, VOICES } from '../src/routing/prompts';
import { convertToCallback } from '../src/routing/queue-callback';
import { getTask, nextWaitStep, setTaskFields } from '../src/routing/task-store';
import { fallbackTwiml } from '../src/telephony/fallbacks';
import { absoluteUrl, VoiceResponse } from '../src/telephony/twiml';
import { asyncHandler } from './async';
import { BadRequest, callParams, parseParams } from './params';

const query = z.object({
  task: z.string().regex(/^[\w~-]{1,120}$/),
  a: z.coerce.number().int().min(0).default(0),
  n: z.coerce.number().int().min(0).default(0),
});
const waitParams = callParams.extend({ QueueSid: z.string().max(64).optional() });
const leftParams = callParams.extend({ QueueResult: z.string().max(32).optional(), QueueSid: z.string().max(64).optional() });
const keyParams = callParams.extend({ Digits: z.string().max(8).optional() });
const recordedParams = callParams.extend({ RecordingUrl: z.string().max(2048).optional(), RecordingSid: z.string().max(64).optional() });

function parseQuery(req: Request) {
  const q = query.safeParse(req.query);
  if (!q.success) throw new BadRequest(`malformed routing URL: ${q.error.issues.map((i) => i.path.join('.')).join(', ')}`);
  return q.data;
}

const xml = (r: InstanceType<typeof VoiceResponse>) => r.toString();

/**
 * The queue's Twilio callbacks: `/queue/wait` (Enqueue waitUrl: announcements, hold music, the
 * callback offer; the first one triggers assignment), `/queue/key` (press 1), `/queue/left` (Enqueue
 * action: abandoned, callback or voicemail), `/queue/voicemail` (the recording).
 */
export function queueRouter(ctx: Context): Router {
  const router = Router();

  router.post(
    '/queue/wait',
    asyncHandler(async (req, res) => {
      const p = parseParams(waitParams, req);
      const q = parseQuery(req);
      let task = await getTask(ctx, q.task);
      if (!task || task.callSid !== p.CallSid) {
        // Not a caller routing knows: out of the queue, to voicemail (see /queue/left).
        const r = new VoiceResponse();
        r.leave();
        res.type('text/xml').send(xml(r));
        return;
      }
      if (p.QueueSid && task.queueSid !== p.QueueSid) await setTaskFields(ctx, task.id, { queueSid: p.QueueSid });
      if (task.state === 'waiting') {
        // The caller is in the Twilio queue now, so a reservation can dequeue them.
        await dispatch(ctx);
        task = (await getTask(ctx, q.task)) ?? task;
      }
      res.type('text/xml').send(await waitTwiml(ctx, task, q.a, await nextWaitStep(ctx, task.id)));
    }),
  );

  router.post(
    '/queue/key',
    asyncHandler(async (req, res) => {
      const p = parseParams(keyParams, req);
      const q = parseQuery(req);
      const task = await getTask(ctx, q.task);
      const r = new VoiceResponse();
      if (task && task.callSid === p.CallSid && p.Digits === '1' && (await convertToCallback(ctx, task, p.From ?? task.pop.from ?? ''))) {
        r.leave();
      } else {
        r.redirect({ method: 'POST' }, absoluteUrl(ctx.config, `/webhooks/queue/wait?task=${encodeURIComponent(q.task)}&a=${q.a}&n=${q.n + 1}`));
      }
      res.type('text/xml').send(xml(r));
    }),
  );

  router.post(
    '/queue/left',
    asyncHandler(async (req, res) => {
      const p = parseParams(leftParams, req);
      const q = parseQuery(req);
      const task = await getTask(ctx, q.task);
      const lang = queueLanguage(task?.language);
      const v = VOICES[lang];
      const r = new VoiceResponse();
      switch (p.QueueResult) {
        case 'hangup':
          await abandonTask(ctx, q.task);
          break;
        case 'leave':
          if (task?.leaveFor === 'callback') {
            r.say(v, queuePrompts.callbackConfirmed(lang));
            r.hangup();
          } else {
            if (task) await leaveForVoicemail(ctx, task.id);
            r.say(v, queuePrompts.voicemail(lang));
            r.record({ maxLength: 120, playBeep: true, timeout: 5, action: absoluteUrl(ctx.config, `/webhooks/queue/voicemail?task=${encodeURIComponent(q.task)}&a=${q.a}`) });
            r.say(v, queuePrompts.goodbye(lang));
            r.hangup();
          }
          break;
        case 'bridged':
        case 'redirected':
        case 'bridging-in-process':
          // Routing moved the caller on (REST dequeue to an agent); nothing to do.
          break;
        default:
          // queue-full, error, system-error, system-shutdown: the caller still needs a person.
          ctx.log.warn('caller left the queue unexpectedly', { callSid: p.CallSid, result: p.QueueResult });
          await abandonTask(ctx, q.task);
          res.type('text/xml').send(fallbackTwiml(ctx.config, lang));
          return;
      }
      res.type('text/xml').send(xml(r));
    }),
  );

  router.post(
    '/queue/voicemail',
    asyncHandler(async (req, res) => {
      const p = parseParams(recordedParams, req);
      const q = parseQuery(req);
      const task = await getTask(ctx, q.task);
      const lang = queueLanguage(task?.language);
      // Kept and written later if PostgreSQL is down: the caller's message is never refused.
      await recordCallbackTask(ctx, {
        key: `queue-voicemail:${p.CallSid}`,
        callSid: p.CallSid,
        patientId: task?.pop.patientId,
        phone: p.From ?? 'unknown',
        language: lang,
        reason: 'voicemail',
        priority: task?.priority,
        queueName: task?.queue,
        recordingSid: p.RecordingSid,
        recordingUrl: p.RecordingUrl,
      });
      const r = new VoiceResponse();
      r.say(VOICES[lang], queuePrompts.voicemailThanks(lang));
      r.hangup();
      res.type('text/xml').send(xml(r));
    }),
  );

  return router;
}
