import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Context } from '../context';
import { Prisma } from '../db/client';
import { DB_FALLBACK_AFTER_MS, isDbUnavailable, withDbTimeout } from './db-unavailable';
import { journalRecordWrite } from './record-journal';

/** One audited act: who did what to which record, from where. */
export interface AuditInput {
  /** agent (staff: agents, supervisors, admins), system (jobs), caller (a patient on the phone) */
  actorType: 'agent' | 'system' | 'caller';
  actorId?: string;
  /** read, search, update, create, delete, purge, lockout, export, ... */
  action: string;
  /** patient, call_record, callback_task, ... */
  entity: string;
  entityId?: string;
  patientId?: string;
  /** the client's address for staff requests */
  ip?: string;
  /** what else an auditor needs; never note text or other PHI beyond ids */
  detail?: Record<string, unknown>;
}

/** An audit entry as stored; its id is fixed before the first attempt, so a retry never adds a second. */
export type AuditRow = Omit<AuditInput, 'detail'> & { id: string; at: Date; detail?: Prisma.InputJsonValue };

function row(ctx: Context, e: AuditInput): AuditRow {
  return {
    id: randomUUID(),
    at: ctx.clock.now(),
    actorType: e.actorType,
    actorId: e.actorId,
    action: e.action,
    entity: e.entity,
    entityId: e.entityId,
    patientId: e.patientId,
    ip: e.ip,
    detail: (e.detail ?? undefined) as Prisma.InputJsonValue | undefined,
  };
}

/**
 * Appends entries to the audit log (append-only: the database refuses UPDATE, DELETE and TRUNCATE
 * on it). Call it before answering with the data read or changed. While PostgreSQL is down the
 * entries are kept in the record journal (record-journal.ts) and written, once, when it is back,
 * so a change kept for later (a wrap-up during an outage) is audited too. Fails only when neither
 * can take them; let that fail the request: an act that cannot be audited must not happen.
 * @param entries - one entry, or several written in one statement
 */
export async function audit(ctx: Context, entries: AuditInput | AuditInput[]): Promise<void> {
  const list = Array.isArray(entries) ? entries : [entries];
  if (list.length === 0) return;
  const rows = list.map((e) => row(ctx, e));
  try {
    await withDbTimeout(ctx.db.auditEntry.createMany({ data: rows }), DB_FALLBACK_AFTER_MS);
  } catch (err) {
    if (!isDbUnavailable(err)) throw err;
    // The ids are fixed: if the timed-out insert did land after all, the journal's copy is skipped.
    await journalRecordWrite(ctx, { kind: 'audit', entries: rows });
  }
}

/**
 * Who and from where, for an audit entry about a staff request (after requireStaff).
 * @param req - the request (its address; Express's `trust proxy` decides whether X-Forwarded-For counts)
 * @param res - the response whose locals carry the staff member
 */
export function staffActor(req: Request, res: Response): Pick<AuditInput, 'actorType' | 'actorId' | 'ip'> {
  const staff = res.locals.staff as { agentId?: string } | undefined;
  return { actorType: 'agent', actorId: staff?.agentId, ip: req.ip };
}
