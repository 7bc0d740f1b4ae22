import type { Context } from '../context';
import { callerE164 } from './caller-phone';

/** Failed verifications for one patient within this window lock self-service. */
export const LOCKOUT_WINDOW_MS = 60 * 60 * 1000;
export const LOCKOUT_THRESHOLD = 5;
/** How long self-service stays locked once locked (staff can clear it earlier). */
export const LOCKOUT_DURATION_MS = 24 * 60 * 60 * 1000;
/** Failed tries in one call before the caller goes to a person unverified. */
export const MAX_TRIES_PER_CALL = 3;

/**
 * Living patients whose phone on file is the caller ID. Caller ID only narrows the search; it never
 * verifies anyone. A deceased patient's record is never a candidate.
 * @param from - Twilio's From
 * @returns patient ids (empty for anonymous or unknown numbers)
 */
export async function patientsByCallerId(ctx: Context, from: string | undefined): Promise<string[]> {
  const e164 = callerE164(from);
  if (!e164) return [];
  const phones = await ctx.db.patientPhone.findMany({
    where: { e164, patient: { deceased: false } },
    select: { patientId: true },
    distinct: ['patientId'],
    take: 10,
  });
  return phones.map((p) => p.patientId);
}

export interface VerifyClaim {
  /** caller-ID candidates from {@link patientsByCallerId} */
  candidates: string[];
  /** ISO date of birth */
  dob: string;
  /** the second factor when caller ID matched no one or several: E.164 phone on file, or a ZIP code */
  factor?: string;
}

export type VerifyResult =
  | { ok: true; patientId: string; givenName: string; timeZone: string }
  | { ok: false; locked: boolean; lockedNow: boolean };

/**
 * Verifies a caller: date of birth against the one caller-ID candidate, or date of birth plus the
 * phone on file (or ZIP) when caller ID matched no one or several. Each failure is audited against
 * the patients the caller claimed to be; five in an hour lock that patient's self-service.
 * @param callSid - for the audit trail
 */
export async function verifyIdentity(ctx: Context, callSid: string, claim: VerifyClaim): Promise<VerifyResult> {
  const now = ctx.clock.now();
  const birthDate = new Date(`${claim.dob}T00:00:00.000Z`);
  const single = claim.candidates.length === 1;
  // The greeting's first name and time zone come with the match: no second read once verified.
  const select = { id: true, selfServiceLockedUntil: true, givenName: true, timeZone: true } as const;
  let matches: { id: string; selfServiceLockedUntil: Date | null; givenName: string; timeZone: string }[] = [];
  if (single) {
    matches = await ctx.db.patient.findMany({ where: { id: claim.candidates[0], birthDate, deceased: false }, select });
  } else if (claim.factor) {
    const byFactor = claim.factor.startsWith('+') ? { phones: { some: { e164: claim.factor } } } : { postalCode: claim.factor };
    matches = await ctx.db.patient.findMany({
      where: { birthDate, deceased: false, ...byFactor, ...(claim.candidates.length ? { id: { in: claim.candidates } } : {}) },
      select,
      take: 2,
    });
  }
  if (matches.length === 1) {
    const p = matches[0]!;
    if (p.selfServiceLockedUntil && p.selfServiceLockedUntil > now) {
      await audit(ctx, 'self_service_refused', p.id, callSid, now);
      return { ok: false, locked: true, lockedNow: false };
    }
    await audit(ctx, 'verify_ok', p.id, callSid, now);
    return { ok: true, patientId: p.id, givenName: p.givenName, timeZone: p.timeZone };
  }
  const claimed = await claimedPatients(ctx, claim);
  let lockedNow = false;
  let locked = false;
  for (const patientId of claimed) {
    await audit(ctx, 'verify_failed', patientId, callSid, now);
    const failures = await ctx.db.auditEntry.count({
      where: { action: 'verify_failed', patientId, at: { gte: new Date(now.getTime() - LOCKOUT_WINDOW_MS) } },
    });
    if (failures < LOCKOUT_THRESHOLD) continue;
    locked = true;
    const { count } = await ctx.db.patient.updateMany({
      where: { id: patientId, OR: [{ selfServiceLockedUntil: null }, { selfServiceLockedUntil: { lte: now } }] },
      data: { selfServiceLockedUntil: new Date(now.getTime() + LOCKOUT_DURATION_MS) },
    });
    if (count) {
      lockedNow = true;
      await audit(ctx, 'lockout', patientId, callSid, now, { failures, windowMinutes: LOCKOUT_WINDOW_MS / 60000 });
    }
  }
  return { ok: false, locked, lockedNow };
}

/** The patients a failed claim was about: the caller-ID candidates, else whoever has the phone given. */
async function claimedPatients(ctx: Context, claim: VerifyClaim): Promise<string[]> {
  if (claim.candidates.length) return claim.candidates;
  if (!claim.factor?.startsWith('+')) return [];
  const phones = await ctx.db.patientPhone.findMany({ where: { e164: claim.factor }, select: { patientId: true }, distinct: ['patientId'], take: 10 });
  return phones.map((p) => p.patientId);
}

async function audit(ctx: Context, action: string, patientId: string, callSid: string, at: Date, extra: Record<string, unknown> = {}): Promise<void> {
  await ctx.db.auditEntry.create({
    data: { at, actorType: action === 'lockout' ? 'system' : 'caller', action, entity: 'patient', entityId: patientId, patientId, detail: { callSid, ...extra } },
  });
}
