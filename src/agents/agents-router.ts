import { Router } from 'express';
import { z } from 'zod';
import type { Context } from '../context';
import { dispatch } from '../routing/dispatch';
import { routingConfig } from '../routing/config';
import { getPresence, listPresence, setAgentState } from '../routing/presence';
import { currentOffer } from '../routing/screen-pop';
import { requireStaff, staffOf } from './auth';
import { HttpError, parseBody, route } from './http-errors';
import { openEventStream, type LiveEvent } from './live';
import { issueVoiceToken, missingVoiceSettings } from './voice-token';

/** States staff may choose themselves; reserved and busy belong to routing. */
const SELF_STATES = ['available', 'break', 'offline', 'wrap-up'] as const;
const statusBody = z.object({ status: z.enum(SELF_STATES) });

/**
 * Sets a staff-chosen state; refused (409) while the agent holds a call. Becoming available
 * triggers assignment at once.
 */
export async function changeOwnState(ctx: Context, agentId: string, status: (typeof SELF_STATES)[number], reason: string): Promise<void> {
  const { changed, previous } = await setAgentState(ctx, agentId, status, { reason });
  if (!changed) throw new HttpError(409, `cannot change state while ${previous}`);
  if (status === 'available') await dispatch(ctx);
}

/**
 * `/api/agents/me/...`: the logged-in agent's state, Voice SDK token and live events;
 * `/api/agents/directory`: who and which queues a call can be transferred to.
 */
export function agentsRouter(ctx: Context): Router {
  const router = Router();
  router.use('/me', requireStaff(ctx));

  // Names and states only (no skills): what the console's transfer picker needs.
  router.get(
    '/directory',
    requireStaff(ctx),
    route(async (_req, res) => {
      const agents = (await listPresence(ctx)).sort((a, b) => a.name.localeCompare(b.name));
      const queues = Object.entries(routingConfig(ctx).queues).map(([name, q]) => ({ name, displayName: q.displayName }));
      res.json({ agents: agents.map((a) => ({ agentId: a.agentId, name: a.name, state: a.state })), queues });
    }),
  );

  router.get(
    '/me',
    route(async (_req, res) => {
      const staff = staffOf(res);
      const presence = await getPresence(ctx, staff.agentId);
      res.json({ ...staff, state: presence.state, since: presence.since, skills: presence.skills, taskId: presence.taskId ?? null });
    }),
  );

  router.put(
    '/me/status',
    route(async (req, res) => {
      const staff = staffOf(res);
      const { status } = parseBody(statusBody, req.body);
      await changeOwnState(ctx, staff.agentId, status, 'self');
      res.json({ status });
    }),
  );

  router.get(
    '/me/token',
    route(async (_req, res) => {
      const staff = staffOf(res);
      const missing = missingVoiceSettings(ctx.config);
      if (missing.length) {
        res.status(503).json({ error: `browser phone not configured: set ${missing.join(', ')}`, missing });
        return;
      }
      res.json(issueVoiceToken(ctx.config, staff.agentId, ctx.clock.now()));
    }),
  );

  router.get(
    '/me/events',
    route(async (req, res) => {
      const staff = staffOf(res);
      const presence = await getPresence(ctx, staff.agentId);
      const initial: LiveEvent[] = [{ type: 'state', agentId: staff.agentId, state: presence.state, at: presence.since.toISOString() }];
      const offer = await currentOffer(ctx, staff.agentId);
      if (offer) initial.push(offer);
      const supervisor = staff.roles.some((r) => r === 'supervisor' || r === 'admin');
      await openEventStream(ctx, req, res, { agentId: staff.agentId, supervisor, initial });
    }),
  );

  return router;
}
