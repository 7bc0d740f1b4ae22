import type { Context } from '../context';
import { routingConfig } from '../routing/config';
import { listPresence } from '../routing/presence';
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
  /** the language the caller needs: the verified patient's preferred language, else the IVR's */
  callerLanguage: string;
  /** true when neither this agent nor any available agent speaks callerLanguage */
  languageGap: boolean;
  /** the routing config's interpreter line for callerLanguage, to add in one click (never its number) */
  interpreter: { language: string; displayName: string } | null;
}

/** `es-MX` -> `es`: agent skills and interpreter lines are keyed by the primary subtag too. */
function primaryTag(tag: string): string {
  return tag.split('-')[0]!.toLowerCase();
}

/** Whether this agent, or any agent available now, has the language as a skill. */
async function someoneSpeaks(ctx: Context, language: string, agentId: string): Promise<boolean> {
  const tags = [language, primaryTag(language)];
  return (await listPresence(ctx)).some((a) => (a.agentId === agentId || a.state === 'available') && tags.some((t) => (a.skills[t] ?? 0) >= 1));
}

function interpreterLine(ctx: Context, language: string): ScreenPop['interpreter'] {
  const lines = routingConfig(ctx).interpreters;
  const tag = lines[language] ? language : lines[primaryTag(language)] ? primaryTag(language) : null;
  return tag ? { language: tag, displayName: lines[tag]!.displayName } : null;
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
  const callerLanguage = patient?.preferredLanguage || task.language;
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
    callerLanguage,
    languageGap: !(await someoneSpeaks(ctx, callerLanguage, staff.agentId)),
    interpreter: interpreterLine(ctx, callerLanguage),
  };
}
