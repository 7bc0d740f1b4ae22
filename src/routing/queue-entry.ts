import type { Context } from '../context';
import { routingConfig } from './config';
import { planTask, type TaskAttributes } from './task-spec';
import { createTask, type PopInfo, type RoutingTask } from './task-store';
import { DB_FALLBACK_AFTER_MS, isDbUnavailable, withDbTimeout } from '../records/db-unavailable';

/** A caller (or callback) entering routing. */
export interface QueueEntry {
  kind: 'call' | 'callback';
  id: string;
  callSid?: string;
  queue: string;
  language: string;
  reason: string;
  requiredSkills: string[];
  verified: boolean;
  from?: string;
  requestedPriority?: number;
  /** only this agent may take it (transfer to a named agent) */
  onlyAgent?: string;
  /** keep this place in line (a callback keeps its call's age) */
  enqueuedAt?: number;
  pop: PopInfo;
}

/**
 * The entry of a routing task that hands an existing task's caller on (a transfer, a
 * consultation): same caller facts, a new id, to a queue or to one named agent.
 */
export function handOnEntry(task: RoutingTask, id: string, to: { type: 'agent'; agentId: string } | { type: 'queue'; queue: string }): Omit<QueueEntry, 'pop'> {
  return {
    kind: 'call',
    id,
    queue: to.type === 'queue' ? to.queue : task.queue,
    language: task.language,
    reason: task.reason,
    requiredSkills: [],
    verified: task.verified,
    from: task.pop.from,
    onlyAgent: to.type === 'agent' ? to.agentId : undefined,
  };
}

/** Whether a caller is a provider office: their number is a practitioner's or a department's. */
export async function callerTypeOf(ctx: Context, from: string | undefined): Promise<'provider' | 'patient'> {
  if (!from) return 'patient';
  try {
    const [practitioners, departments] = await withDbTimeout(Promise.all([ctx.db.practitioner.count({ where: { phone: from } }), ctx.db.department.count({ where: { phone: from } })]), DB_FALLBACK_AFTER_MS);
    return practitioners + departments > 0 ? 'provider' : 'patient';
  } catch (err) {
    if (!isDbUnavailable(err)) throw err;
    // PostgreSQL is down: the caller still gets in line (queues live in Redis), without the provider priority.
    ctx.log.warn('caller type unknown while the database is down; queued as a patient');
    return 'patient';
  }
}

/**
 * Plans a task with the routing config and stores it as waiting (idempotent per id).
 * @returns the task
 */
export async function enterQueue(ctx: Context, e: QueueEntry): Promise<RoutingTask> {
  const cfg = routingConfig(ctx);
  const queue = cfg.queues[e.queue] ? e.queue : 'general';
  const attrs: TaskAttributes = {
    kind: e.kind,
    queue,
    language: e.language,
    reason: e.reason,
    callerType: await callerTypeOf(ctx, e.from ?? e.pop.phone),
    verified: e.verified,
    requiredSkills: e.requiredSkills,
  };
  const plan = planTask(cfg, attrs, e.requestedPriority);
  // A transfer to a named agent needs that agent, whatever their skills.
  if (e.onlyAgent) plan.steps = [{ at: 0, req: [{}] }];
  const task: RoutingTask = {
    ...attrs,
    id: e.id,
    callSid: e.callSid,
    priority: plan.priority,
    enqueuedAt: e.enqueuedAt ?? ctx.clock.now().getTime(),
    steps: plan.steps,
    step: 0,
    state: 'waiting',
    onlyAgent: e.onlyAgent,
    attempts: 0,
    filter: plan.filter,
    pop: e.pop,
  };
  const created = await createTask(ctx, task);
  if (created) ctx.log.info('task queued', { taskId: task.id, queue, filter: plan.filter, priority: plan.priority, callSid: e.callSid });
  return task;
}
