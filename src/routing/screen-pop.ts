import type { LiveEvent } from '../agents/live';
import type { Context } from '../context';
import { routingConfig } from './config';
import { getPresence } from './presence';
import { getTask, type RoutingTask } from './task-store';

/**
 * The live event that offers a task to its reserved agent. It carries no PHI (Redis pub/sub is not
 * an audited read): the console fetches the caller's details from GET /api/calls/:id, which audits.
 */
export function offerEvent(ctx: Context, task: RoutingTask, agentId: string): LiveEvent {
  return {
    type: 'offer',
    taskId: task.id,
    callSid: task.callSid ?? null,
    kind: task.kind,
    agentId,
    queue: task.queue,
    language: task.language,
    reason: task.reason,
    verified: task.verified,
    enqueuedAt: new Date(task.enqueuedAt).toISOString(),
    ringTimeoutSec: routingConfig(ctx).ringTimeoutSec,
  };
}

/** The event describing the task an agent holds, if any (sent first on a new event stream). */
export async function currentOffer(ctx: Context, agentId: string): Promise<LiveEvent | null> {
  const presence = await getPresence(ctx, agentId);
  if (!presence.taskId) return null;
  const task = await getTask(ctx, presence.taskId);
  if (!task || task.agentId !== agentId) return null;
  if (task.state === 'reserved') return offerEvent(ctx, task, agentId);
  if (task.state === 'connected' || task.state === 'wrapup') return { ...offerEvent(ctx, task, agentId), type: task.state === 'connected' ? 'connected' : 'wrapup' };
  return null;
}
