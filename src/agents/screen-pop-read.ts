import type { Context } from '../context';
import { audit } from '../records/audit';
import { isDbUnavailable } from '../records/db-unavailable';
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
  /** why the patient, notes and disposition are missing (PostgreSQL down), for the console to show */
  unavailable: string | null;
  /** the language the caller needs: the verified patient's preferred language, else the IVR's */
  callerLanguage: string;
  /** true when neither this agent nor any available agent speaks callerLanguage */
  languageGap: boolean;
  /** the routing config's interpreter line for callerLanguage, to add in one click (never its number) */
  interpreter: { language: string; displayName: string } | null;
}

/** The console's note on a screen pop built while PostgreSQL is down. */
export const POP_WITHOUT_DB = 'The database is unavailable: patient details, notes and disposition cannot be shown. You can still take the call and wrap up.';

interface PopFromDb {
  notes: string | null;
  disposition: string | null;
  patient: ScreenPop['patient'];
  warmFrom: string | null;
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
 * (AuditEntry, actorType agent). While PostgreSQL is down the pop is what routing knows in Redis
 * (queue, language, reason, IVR path, number): the agent can still take the call.
 * @param ip - the agent's address, for the audit entry
 */
export async function screenPop(ctx: Context, task: RoutingTask, staff: Staff, ip: string | undefined): Promise<ScreenPop> {
  let fromDb: PopFromDb;
  let unavailable: string | null = null;
  try {
    fromDb = await popFromDb(ctx, task, staff, ip);
  } catch (err) {
    if (!isDbUnavailable(err)) throw err;
    fromDb = { notes: null, disposition: null, patient: null, warmFrom: null };
    unavailable = POP_WITHOUT_DB;
  }
  const callerLanguage = fromDb.patient?.preferredLanguage || task.language;
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
    ...fromDb,
    unavailable,
    callerLanguage,
    languageGap: !(await someoneSpeaks(ctx, callerLanguage, staff.agentId)),
    interpreter: interpreterLine(ctx, callerLanguage),
  };
}

async function popFromDb(ctx: Context, task: RoutingTask, staff: Staff, ip: string | undefined): Promise<PopFromDb> {
  const record = task.callSid ? await ctx.db.callRecord.findUnique({ where: { callSid: task.callSid }, select: { notes: true, disposition: true } }) : null;
  const patientId = task.pop.patientId && (task.verified || task.kind === 'callback') ? task.pop.patientId : undefined;
  const patient = patientId ? await ctx.db.patient.findUnique({ where: { id: patientId } }) : null;
  if (patient) {
    await audit(ctx, { actorType: 'agent', actorId: staff.agentId, action: 'read', entity: 'patient', entityId: patient.id, patientId: patient.id, ip, detail: { via: 'screen_pop', taskId: task.id, callSid: task.callSid ?? null } });
  }
  const warmFrom = task.pop.warmFrom ? await ctx.db.agent.findUnique({ where: { id: task.pop.warmFrom }, select: { name: true } }) : null;
  return {
    notes: record?.notes ?? null,
    disposition: record?.disposition ?? null,
    patient: patient
      ? { id: patient.id, name: `${patient.givenName} ${patient.familyName}`, birthDate: patient.birthDate.toISOString().slice(0, 10), preferredLanguage: patient.preferredLanguage }
      : null,
    warmFrom: warmFrom?.name ?? null,
  };
}
