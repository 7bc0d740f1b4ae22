import type { Context } from '../context';
import type { RoutingTask } from '../routing/task-store';
import type { Staff } from './sessions';

/** What the console shows about a routed caller. */
export interface ScreenPop {
  taskId: string;
  callSid: string | null;
  kind: 'call' | 'callback';
  state: string;
  queue: string;
  language: string;
  reason: string;
  ivrPath: string[];
  verified: boolean;
  waitingSince: string;
  /** the callback number (callbacks), or the caller's number */
  phone: string | null;
  /** only when the caller proved who they are (or a callback for a known patient) */
  patient: { id: string; name: string; birthDate: string; preferredLanguage: string } | null;
  notes: string | null;
  disposition: string | null;
  warmFrom: string | null;
}

/**
 * Builds the screen pop for an agent. Reading a patient's data here is an audited read
 * (AuditEntry, actorType agent).
 * @param ip - the agent's address, for the audit entry
 */
export async function screenPop(ctx: Context, task: RoutingTask, staff: Staff, ip: string | undefined): Promise<ScreenPop> {
  const record = task.callSid ? await ctx.db.callRecord.findUnique({ where: { callSid: task.callSid }, select: { notes: true, disposition: true } }) : null;
  const patientId = task.pop.patientId && (task.verified || task.kind === 'callback') ? task.pop.patientId : undefined;
  const patient = patientId ? await ctx.db.patient.findUnique({ where: { id: patientId } }) : null;
  if (patient) {
    await ctx.db.auditEntry.create({
      data: {
        actorType: 'agent',
        actorId: staff.agentId,
        action: 'read',
        entity: 'patient',
        entityId: patient.id,
        patientId: patient.id,
        ip: ip ?? null,
        detail: { via: 'screen_pop', taskId: task.id, callSid: task.callSid ?? null },
        at: ctx.clock.now(),
      },
    });
  }
  const warmFrom = task.pop.warmFrom ? await ctx.db.agent.findUnique({ where: { id: task.pop.warmFrom }, select: { name: true } }) : null;
  return {
    taskId: task.id,
    callSid: task.callSid ?? null,
    kind: task.kind,
    state: task.state,
    queue: task.queue,
    language: task.language,
    reason: task.reason,
    ivrPath: task.pop.ivrPath,
    verified: task.verified,
    waitingSince: new Date(task.enqueuedAt).toISOString(),
    phone: task.pop.phone ?? task.pop.from ?? null,
    patient: patient
      ? { id: patient.id, name: `${patient.givenName} ${patient.familyName}`, birthDate: patient.birthDate.toISOString().slice(0, 10), preferredLanguage: patient.preferredLanguage }
      : null,
    notes: record?.notes ?? null,
    disposition: record?.disposition ?? null,
    warmFrom: warmFrom?.name ?? null,
  };
}
