import { Router, type Request } from 'express';
import { z } from 'zod';
import type { Context } from '../src/context';
import { conferenceWaitTwiml, holdTwiml, partyJoinTwiml } from '../src/routing/conference';
import { conversationLeft, onConferenceEvent, onLegStatus } from '../src/routing/conference-events';
import { getConversation } from '../src/routing/conversation';
import { queueLanguage, queuePrompts, VOICES } from '../src/routing/prompts';
import { absoluteUrl, VoiceResponse } from '../src/telephony/twiml';
import { asyncHandler } from './async';
import { BadRequest, callParams, parseParams } from './params';

const id = z.string().regex(/^[\w~-]{1,160}$/);
const query = z.object({
  conf: id.optional(),
  task: id.optional(),
  agent: id.optional(),
  role: z.enum(['agent', 'consult', 'supervisor', 'party']).optional(),
  label: z.string().regex(/^[a-z]+-\d{1,4}$/).optional(),
  a: z.coerce.number().int().min(0).default(0),
});
const bool = z.enum(['true', 'false']).transform((v) => v === 'true').optional();
const eventParams = z.object({
  StatusCallbackEvent: z.string().max(64),
  ConferenceSid: z.string().max(64).optional(),
  FriendlyName: z.string().max(200).optional(),
  CallSid: z.string().max(64).optional(),
  ParticipantLabel: z.string().max(128).optional(),
  Hold: bool,
  Muted: bool,
  Coaching: bool,
});
const legParams = callParams.extend({ CallStatus: z.string().max(32) });

function parseQuery(req: Request) {
  const q = query.safeParse(req.query);
  if (!q.success) throw new BadRequest(`malformed conference URL: ${q.error.issues.map((i) => i.path.join('.')).join(', ')}`);
  return q.data;
}

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new BadRequest(`missing ${what}`);
  return value;
}

const empty = () => new VoiceResponse().toString();

/**
 * The conversation's Twilio Conference: `/conference/events` (its status callback), `/conference/participant`
 * (the call status of each leg careline added), `/conference/wait` (music before the agent joins),
 * `/conference/hold` (HoldUrl, POST), `/conference/left` (the caller's Dial action) and
 * `/conference/join` (an outside line dialed with an access code joins), `/conference/goodbye` (the
 * caller's last words when no agent is left).
 */
export function conferenceRouter(ctx: Context): Router {
  const router = Router();

  router.post(
    '/conference/events',
    asyncHandler(async (req, res) => {
      const q = parseQuery(req);
      const p = parseParams(eventParams, req);
      await onConferenceEvent(ctx, need(q.conf ?? p.FriendlyName, 'conf'), {
        event: p.StatusCallbackEvent,
        conferenceSid: p.ConferenceSid,
        callSid: p.CallSid,
        label: p.ParticipantLabel,
        hold: p.Hold,
        muted: p.Muted,
        coaching: p.Coaching,
      });
      res.type('text/xml').send(empty());
    }),
  );

  router.post(
    '/conference/participant',
    asyncHandler(async (req, res) => {
      const q = parseQuery(req);
      const p = parseParams(legParams, req);
      await onLegStatus(ctx, { conference: need(q.conf, 'conf'), taskId: need(q.task, 'task'), agentId: need(q.agent, 'agent'), role: need(q.role, 'role'), callSid: p.CallSid, status: p.CallStatus });
      res.type('text/xml').send(empty());
    }),
  );

  router.post(
    '/conference/wait',
    asyncHandler(async (req, res) => {
      parseParams(callParams.partial(), req);
      res.type('text/xml').send(conferenceWaitTwiml(ctx));
    }),
  );

  router.post(
    '/conference/hold',
    asyncHandler(async (req, res) => {
      parseParams(callParams.partial(), req);
      const conf = need(parseQuery(req).conf, 'conf');
      const conv = await getConversation(ctx, conf);
      res.type('text/xml').send(holdTwiml(ctx, conv?.language ?? 'en', absoluteUrl(ctx.config, `/webhooks/conference/hold?conf=${encodeURIComponent(conf)}`)));
    }),
  );

  router.post(
    '/conference/left',
    asyncHandler(async (req, res) => {
      const p = parseParams(callParams, req);
      const q = parseQuery(req);
      res.type('text/xml').send(await conversationLeft(ctx, need(q.task, 'task'), p.CallSid));
    }),
  );

  router.post(
    '/conference/join',
    asyncHandler(async (req, res) => {
      parseParams(callParams, req);
      const q = parseQuery(req);
      res.type('text/xml').send(partyJoinTwiml(ctx, need(q.conf, 'conf'), need(q.label, 'label')));
    }),
  );

  router.post(
    '/conference/goodbye',
    asyncHandler(async (req, res) => {
      parseParams(callParams, req);
      const conv = await getConversation(ctx, need(parseQuery(req).conf, 'conf'));
      const lang = queueLanguage(conv?.language);
      const r = new VoiceResponse();
      r.say(VOICES[lang], queuePrompts.goodbye(lang));
      r.hangup();
      res.type('text/xml').send(r.toString());
    }),
  );

  return router;
}
