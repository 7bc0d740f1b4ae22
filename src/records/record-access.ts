import type { Context } from '../context';
import type { Prisma } from '../db/client';

/** The staff member asking, as requireStaff admits them. */
export interface Viewer {
  agentId: string;
  roles: readonly string[];
}

/** Supervisors and admins see every call record. */
export function seesAllRecords(v: Viewer): boolean {
  return v.roles.includes('supervisor') || v.roles.includes('admin');
}

/**
 * The queues an agent's skills admit them to: every skill a queue (Queue table) requires is one the
 * agent has (level above 0); a queue without a row there is admitted by the skill of its own name,
 * as routing.yaml's `{queue}` placeholder reads it.
 * @returns queue names, or null when the viewer sees every record
 */
export async function visibleQueues(ctx: Context, v: Viewer): Promise<string[] | null> {
  if (seesAllRecords(v)) return null;
  const agent = await ctx.db.agent.findUnique({ where: { id: v.agentId }, select: { skills: true, active: true } });
  if (!agent || !agent.active) return [];
  const skills = (agent.skills ?? {}) as Record<string, unknown>;
  const has = (s: string) => Number(skills[s] ?? 0) > 0;
  const queues = await ctx.db.queue.findMany({ select: { name: true, requiredSkills: true } });
  const known = new Set(queues.map((q) => q.name));
  const bySkill = Object.keys(skills).filter((s) => has(s) && !known.has(s));
  return [...queues.filter((q) => q.requiredSkills.every(has)).map((q) => q.name), ...bySkill];
}

/**
 * The condition that limits call records to what a viewer may see: everything for supervisors;
 * for an agent, records of their queues and the calls they took themselves.
 */
export async function recordScope(ctx: Context, v: Viewer): Promise<Prisma.CallRecordWhereInput> {
  const queues = await visibleQueues(ctx, v);
  if (queues === null) return {};
  return { OR: [{ queueName: { in: queues } }, { agentId: v.agentId }] };
}
