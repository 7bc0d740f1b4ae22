import { Router } from 'express';
import { z } from 'zod';
import type { Context } from '../context';
import { routingConfig } from '../routing/config';
import { agentProfile, listPresence } from '../routing/presence';
import { getTask, waitingTaskIds } from '../routing/task-store';
import { keys } from '../routing/keys';
import { changeOwnState } from './agents-router';
import { requireStaff, staffOf } from './auth';
import { HttpError, parseBody, route } from './http-errors';

const statusBody = z.object({ status: z.enum(['available', 'break', 'offline', 'wrap-up']) });

/** The live picture of every queue and agent. */
export async function overview(ctx: Context) {
  const cfg = routingConfig(ctx);
  const now = ctx.clock.now().getTime();
  const queues = new Map(Object.entries(cfg.queues).map(([name, q]) => [name, { name, displayName: q.displayName, waiting: 0, callbacks: 0, longestWaitSec: 0, ringing: 0 }]));
  const reserved = await ctx.redis.zrange(keys.reserved, '0', '-1');
  for (const id of [...(await waitingTaskIds(ctx)), ...reserved]) {
    const t = await getTask(ctx, id);
    const q = t && queues.get(t.queue);
    if (!t || !q) continue;
    if (t.state === 'reserved') q.ringing++;
    else if (t.kind === 'callback') q.callbacks++;
    else q.waiting++;
    q.longestWaitSec = Math.max(q.longestWaitSec, Math.round((now - t.enqueuedAt) / 1000));
  }
  const agents = (await listPresence(ctx)).sort((a, b) => a.name.localeCompare(b.name));
  return {
    revision: cfg.revision,
    queues: [...queues.values()],
    agents: agents.map((a) => ({ agentId: a.agentId, name: a.name, state: a.state, since: a.since.toISOString(), taskId: a.taskId ?? null, skills: a.skills })),
  };
}

/** `/api/supervisor`: queues and agents live; change an agent's state. Supervisors and admins. */
export function supervisorRouter(ctx: Context): Router {
  const router = Router();
  router.use(requireStaff(ctx, 'supervisor'));

  router.get(
    '/overview',
    route(async (_req, res) => {
      res.json(await overview(ctx));
    }),
  );

  router.put(
    '/agents/:agentId/status',
    route(async (req, res) => {
      const { status } = parseBody(statusBody, req.body);
      const agentId = String(req.params.agentId);
      // Through presence's copy while PostgreSQL is down: a supervisor can still take an agent offline.
      if (!(await agentProfile(ctx, agentId))) throw new HttpError(404, 'no such agent');
      await changeOwnState(ctx, agentId, status, `supervisor ${staffOf(res).agentId}`);
      res.json({ agentId, status });
    }),
  );

  return router;
}
