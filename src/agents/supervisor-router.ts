import { Router } from 'express';
import { z } from 'zod';
import type { Context } from '../context';
import { routingConfig } from '../routing/config';
import { agentProfile, listPresence } from '../routing/presence';
import { findTask, getTask, waitingTaskIds } from '../routing/task-store';
import { getConversation, listParties, liveConversations } from '../routing/conversation';
import { monitorCall, stopMonitoring } from '../routing/monitor';
import { audit, staffActor } from '../records/audit';
import { keys } from '../routing/keys';
import { changeOwnState } from './agents-router';
import { requireStaff, staffOf } from './auth';
import { HttpError, parseBody, route } from './http-errors';

const statusBody = z.object({ status: z.enum(['available', 'break', 'offline', 'wrap-up']) });
const monitorBody = z.object({ mode: z.enum(['listen', 'whisper', 'barge']) });

/** Live conversations: queue, agent, language, talk and hold time, who is on the line, who monitors. No names or numbers. */
async function conversations(ctx: Context, now: number) {
  const out = [];
  for (const name of await liveConversations(ctx)) {
    const c = await getConversation(ctx, name);
    if (!c) continue;
    const task = await getTask(ctx, c.taskId);
    const heldMs = (c.holdMs ?? 0) + (c.holdSince ? now - c.holdSince : 0);
    out.push({
      taskId: c.taskId,
      callSid: c.callerSid,
      queue: c.queue,
      language: c.language,
      agentId: c.agentId ?? null,
      state: task?.state ?? null,
      talkSec: Math.round((now - c.startedAt) / 1000),
      holdSec: Math.round(heldMs / 1000),
      onHold: c.holdSince !== undefined,
      consult: c.consult ? { to: c.consult.to, targetAgentId: c.consult.targetAgentId ?? null } : null,
      participants: (await listParties(ctx, name)).map((p) => ({ participantId: p.label, role: p.role, agentId: p.agentId ?? null, joined: p.joined, hold: p.hold, muted: p.muted })),
      monitor: c.monitor ? { supervisorId: c.monitor.supervisorId, mode: c.monitor.mode } : null,
    });
  }
  return out;
}

async function conferenceOf(ctx: Context, id: string): Promise<string> {
  const task = await findTask(ctx, id);
  if (!task?.conference || !(await getConversation(ctx, task.conference))) throw new HttpError(404, 'no live conversation for this call');
  return task.conference;
}

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
    conversations: await conversations(ctx, now),
  };
}

/**
 * `/api/supervisor`: queues, agents and conversations live; change an agent's state; listen to,
 * whisper to or barge into a conversation. Supervisors and admins.
 */
export function supervisorRouter(ctx: Context): Router {
  const router = Router();
  router.use(requireStaff(ctx, 'supervisor'));

  router.get(
    '/overview',
    route(async (_req, res) => {
      res.json(await overview(ctx));
    }),
  );

  router.post(
    '/calls/:id/monitor',
    route(async (req, res) => {
      const { mode } = parseBody(monitorBody, req.body);
      const conference = await conferenceOf(ctx, String(req.params.id));
      const supervisorId = staffOf(res).agentId;
      const from = await monitorCall(ctx, conference, supervisorId, mode);
      const conv = await getConversation(ctx, conference);
      await audit(ctx, { ...staffActor(req, res), action: 'monitor', entity: 'call_record', entityId: conv?.callerSid, detail: { mode, from, agentId: conv?.agentId ?? null } });
      res.json({ callSid: conv?.callerSid, mode, from });
    }),
  );

  router.delete(
    '/calls/:id/monitor',
    route(async (req, res) => {
      const conference = await conferenceOf(ctx, String(req.params.id));
      const left = await stopMonitoring(ctx, conference, staffOf(res).agentId);
      if (!left) throw new HttpError(409, 'you are not monitoring this call');
      const conv = await getConversation(ctx, conference);
      await audit(ctx, { ...staffActor(req, res), action: 'monitor', entity: 'call_record', entityId: conv?.callerSid, detail: { mode: null, from: left.mode, seconds: left.seconds } });
      res.json({ callSid: conv?.callerSid, mode: null, from: left.mode });
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
