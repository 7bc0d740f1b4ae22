import { Router } from 'express';
import { z } from 'zod';
import type { Context } from '../context';
import { routingConfig } from '../routing/config';
import { acceptTask, declineTask, saveWrapUp } from '../routing/handling';
import { finishTransfer, hangUp, setHold, setMute, transferCall } from '../routing/live-call';
import { addParty, partiesOf, removeParty } from '../routing/participants';
import { declineConsult } from '../routing/consult';
import { getPresence } from '../routing/presence';
import { findTask, getTask, type RoutingTask } from '../routing/task-store';
import { requireStaff, staffOf } from './auth';
import { HttpError, parseBody, route } from './http-errors';
import { screenPop } from './screen-pop-read';

/** Dispositions an agent can choose at wrap-up. */
export const DISPOSITIONS = ['resolved', 'refill_processed', 'appointment_booked', 'message_taken', 'callback_needed', 'transferred', 'escalated', 'wrong_number', 'other'] as const;

const wrapUpBody = z.object({ disposition: z.enum(DISPOSITIONS).optional(), notes: z.string().max(4000).optional() });
const holdBody = z.object({ hold: z.boolean() });
const muteBody = z.object({ muted: z.boolean() });
const partyBody = z.union([
  z.strictObject({ number: z.string().min(1).max(32) }),
  z.strictObject({ interpreter: z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'a BCP-47 language tag') }),
  z.strictObject({ onCall: z.enum(['nurse', 'pharmacist']) }),
  z.strictObject({ department: z.string().min(1).max(64) }),
]);
const transferBody = z.object({
  mode: z.enum(['cold', 'warm']).default('cold'),
  to: z.discriminatedUnion('type', [
    z.object({ type: z.literal('queue'), queue: z.string().regex(/^[a-z][a-z0-9_-]*$/) }),
    z.object({ type: z.literal('agent'), agentId: z.string().min(1).max(64) }),
    z.object({ type: z.literal('number'), number: z.string().regex(/^\+[1-9]\d{6,14}$/, 'an E.164 number') }),
  ]),
});

/**
 * The task a request's `:id` (a CallSid or a task id) means for this agent: the one they hold when
 * it is that call (after a transfer a call has several tasks), else the call's current task.
 */
async function taskFor(ctx: Context, id: string, agentId: string): Promise<RoutingTask> {
  const presence = await getPresence(ctx, agentId);
  if (presence.taskId) {
    const held = await getTask(ctx, presence.taskId);
    if (held && (held.id === id || held.callSid === id)) return held;
  }
  const task = await findTask(ctx, id);
  if (!task) throw new HttpError(404, 'no such call');
  return task;
}

/**
 * `/api/calls/:id/...` (id: CallSid or task id): screen pop, accept, decline, hold, mute, transfer
 * (cold, or warm: then complete / cancel), participants of a three-way call, hang up, wrap-up.
 */
export function callsRouter(ctx: Context): Router {
  const router = Router();
  router.use(requireStaff(ctx));

  router.get('/dispositions', (_req, res) => {
    res.json({ dispositions: DISPOSITIONS });
  });

  router.get(
    '/:id',
    route(async (req, res) => {
      const staff = staffOf(res);
      const task = await taskFor(ctx, String(req.params.id), staff.agentId);
      const supervisor = staff.roles.some((r) => r === 'supervisor' || r === 'admin');
      if (task.agentId !== staff.agentId && !supervisor) throw new HttpError(403, 'this call is not yours');
      res.json(await screenPop(ctx, task, staff, req.ip));
    }),
  );

  router.post(
    '/:id/accept',
    route(async (req, res) => {
      const staff = staffOf(res);
      const task = await taskFor(ctx, String(req.params.id), staff.agentId);
      await acceptTask(ctx, task.id, staff.agentId);
      res.json({ taskId: task.id, state: 'connected' });
    }),
  );

  router.post(
    '/:id/decline',
    route(async (req, res) => {
      const staff = staffOf(res);
      const task = await taskFor(ctx, String(req.params.id), staff.agentId);
      if (task.pop.consult) await declineConsult(ctx, task, staff.agentId);
      else await declineTask(ctx, task.id, staff.agentId);
      res.json({ taskId: task.id, state: task.pop.consult ? 'declined' : 'waiting' });
    }),
  );

  router.post(
    '/:id/hold',
    route(async (req, res) => {
      const staff = staffOf(res);
      const { hold } = parseBody(holdBody, req.body);
      const task = await taskFor(ctx, String(req.params.id), staff.agentId);
      await setHold(ctx, task, staff.agentId, hold);
      res.json({ taskId: task.id, hold });
    }),
  );

  router.post(
    '/:id/mute',
    route(async (req, res) => {
      const staff = staffOf(res);
      const { muted } = parseBody(muteBody, req.body);
      const task = await taskFor(ctx, String(req.params.id), staff.agentId);
      await setMute(ctx, task, staff.agentId, muted);
      res.json({ taskId: task.id, muted });
    }),
  );

  for (const how of ['complete', 'cancel'] as const) {
    router.post(
      `/:id/transfer/${how}`,
      route(async (req, res) => {
        const staff = staffOf(res);
        const task = await taskFor(ctx, String(req.params.id), staff.agentId);
        await finishTransfer(ctx, task, staff.agentId, how);
        res.json({ taskId: task.id, transfer: how === 'complete' ? 'completed' : 'cancelled' });
      }),
    );
  }

  router.get(
    '/:id/participants',
    route(async (req, res) => {
      const staff = staffOf(res);
      const task = await taskFor(ctx, String(req.params.id), staff.agentId);
      res.json({ taskId: task.id, participants: await partiesOf(ctx, task, staff.agentId) });
    }),
  );

  router.post(
    '/:id/participants',
    route(async (req, res) => {
      const staff = staffOf(res);
      const body = parseBody(partyBody, req.body);
      const task = await taskFor(ctx, String(req.params.id), staff.agentId);
      res.status(201).json({ taskId: task.id, participant: await addParty(ctx, task, staff.agentId, body) });
    }),
  );

  router.delete(
    '/:id/participants/:participantId',
    route(async (req, res) => {
      const staff = staffOf(res);
      const task = await taskFor(ctx, String(req.params.id), staff.agentId);
      if (!(await removeParty(ctx, task, staff.agentId, String(req.params.participantId)))) throw new HttpError(404, 'no such participant');
      res.json({ taskId: task.id, removed: String(req.params.participantId) });
    }),
  );

  router.post(
    '/:id/hangup',
    route(async (req, res) => {
      const staff = staffOf(res);
      const task = await taskFor(ctx, String(req.params.id), staff.agentId);
      await hangUp(ctx, task, staff.agentId);
      res.json({ taskId: task.id, state: 'wrapup' });
    }),
  );

  router.post(
    '/:id/transfer',
    route(async (req, res) => {
      const staff = staffOf(res);
      const body = parseBody(transferBody, req.body);
      if (body.to.type === 'queue' && !routingConfig(ctx).queues[body.to.queue]) throw new HttpError(400, `no queue "${body.to.queue}"`);
      if (body.to.type === 'agent' && !(await ctx.db.agent.findFirst({ where: { id: body.to.agentId, active: true }, select: { id: true } }))) throw new HttpError(400, 'no such agent');
      const task = await taskFor(ctx, String(req.params.id), staff.agentId);
      const newTaskId = await transferCall(ctx, task, staff.agentId, body.to, body.mode);
      res.json({ taskId: task.id, newTaskId: newTaskId ?? null });
    }),
  );

  router.put(
    '/:id/wrapup',
    route(async (req, res) => {
      const staff = staffOf(res);
      const body = parseBody(wrapUpBody, req.body);
      const task = await taskFor(ctx, String(req.params.id), staff.agentId);
      const { finished, available } = await saveWrapUp(ctx, task, staff.agentId, body, req.ip);
      res.json({ taskId: task.id, saved: true, finished, available });
    }),
  );

  return router;
}
