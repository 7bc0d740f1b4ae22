import type { RoutingConfig, RoutingTarget, TaskMatch } from './config-schema';
import { compileRequirement, parseExpression, type Requirement } from './expression';

/** The attributes of a task that filters and priority rules read. */
export interface TaskAttributes {
  kind: 'call' | 'callback';
  queue: string;
  language: string;
  reason: string;
  callerType: 'provider' | 'patient';
  verified: boolean;
  requiredSkills: string[];
}

/** One escalation step: from `at` seconds of waiting, agents matching `req` may take the task. */
export interface Step {
  at: number;
  req: Requirement;
  priority?: number;
}

/** How a task is routed: its priority and its escalation ladder. */
export interface TaskRouting {
  priority: number;
  steps: Step[];
  /** the filter that chose the targets (or "default"), for logs and the supervisor view */
  filter: string;
}

function matches(m: TaskMatch, a: TaskAttributes): boolean {
  const ok = (want: string | string[] | undefined, have: string) => want === undefined || (Array.isArray(want) ? want.includes(have) : want === have);
  return (
    ok(m.queue, a.queue) &&
    ok(m.language, a.language) &&
    ok(m.reason, a.reason) &&
    ok(m.callerType, a.callerType) &&
    ok(m.kind, a.kind) &&
    (m.verified === undefined || m.verified === a.verified)
  );
}

function stepsOf(targets: RoutingTarget[], a: TaskAttributes): Step[] {
  let at = 0;
  return targets.map((t) => {
    // {required} leaves the caller's language to {language}, so a target can widen by dropping it.
    const required = a.requiredSkills.filter((s) => s !== a.language);
    const step: Step = { at, req: compileRequirement(parseExpression(t.expression), { required, language: a.language, queue: a.queue }), priority: t.priority };
    at += t.timeout ?? 0;
    return step;
  });
}

/**
 * Applies the routing config to a task: the first matching workflow filter gives the ordered
 * targets (else the default ones), the highest of the queue's priority, the request's and any
 * matching priority rule gives the priority.
 * @param cfg - the routing config
 * @param a - the task's attributes
 * @param requested - a priority the IVR asked for, if any
 */
export function planTask(cfg: RoutingConfig, a: TaskAttributes, requested = 0): TaskRouting {
  const filter = cfg.workflow.filters.find((f) => matches(f.match, a));
  const rulePriority = Math.max(0, ...cfg.priorityRules.filter((r) => matches(r.match, a)).map((r) => r.priority));
  const priority = Math.min(100, Math.max(cfg.queues[a.queue]?.priority ?? 0, requested, rulePriority));
  return { priority, steps: stepsOf(filter?.targets ?? cfg.workflow.defaultTargets, a), filter: filter?.name ?? 'default' };
}

/**
 * The step in force after waiting `ageSec` (the same rule as the assignment script).
 * @param steps - the task's ladder
 * @param ageSec - seconds since the task entered the queue
 */
export function stepAt(steps: Step[], ageSec: number): number {
  let idx = 0;
  steps.forEach((s, i) => {
    if (ageSec >= s.at) idx = i;
  });
  return idx;
}
