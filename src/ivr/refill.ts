import type { Context } from '../context';
import { Prisma } from '../db/client';
import { departmentIdByCode, nextOpening } from '../calendar/hours';

/** Time the pharmacy needs to fill a refill once the request is in. */
export const FILL_TIME_MS = 2 * 60 * 60 * 1000;

export type RefillOutcome =
  | { kind: 'requested'; requestId: string; readyAt: Date; drug: string }
  | { kind: 'renewal'; requestId: string; drug: string }
  | { kind: 'unknown' };

/**
 * When a refill requested now will be ready: two hours of pharmacy time, rounded up to the half
 * hour, counted from the next moment the pharmacy is open.
 */
export async function refillReadyAt(ctx: Context, now: Date): Promise<Date> {
  const pharmacy = await departmentIdByCode(ctx, 'pharmacy');
  const opensAt = (await nextOpening(ctx, now, pharmacy)) ?? now;
  let ready = new Date(opensAt.getTime() + FILL_TIME_MS);
  const half = 30 * 60 * 1000;
  ready = new Date(Math.ceil(ready.getTime() / half) * half);
  // Ready after closing time: the next opening, plus the fill time again.
  const open = await nextOpening(ctx, ready, pharmacy);
  if (open && open.getTime() !== ready.getTime()) ready = new Date(Math.ceil((open.getTime() + FILL_TIME_MS) / half) * half);
  return ready;
}

/**
 * Requests a refill of one of the verified patient's prescriptions by Rx number: a RefillRequest
 * when refills remain (once per call and prescription), else a renewal request to the prescriber.
 * @param patientId - the verified patient
 * @param rxNumber - as keyed
 * @param callSid - makes the request idempotent within the call
 */
export async function requestRefill(ctx: Context, patientId: string, rxNumber: string, callSid: string): Promise<RefillOutcome> {
  const rx = await ctx.db.prescription.findFirst({ where: { rxNumber, patientId } });
  if (!rx) return { kind: 'unknown' };
  const renewal = rx.status !== 'active' || rx.refillsRemaining === 0;
  const kind = renewal ? 'renewal' : 'refill';
  const readyAt = renewal ? null : await refillReadyAt(ctx, ctx.clock.now());
  const request = await createOnce(ctx, { kind, prescriptionId: rx.id, patientId, callSid, readyAt, createdAt: ctx.clock.now() });
  if (renewal) return { kind: 'renewal', requestId: request.id, drug: rx.drug };
  return { kind: 'requested', requestId: request.id, readyAt: request.readyAt ?? readyAt!, drug: rx.drug };
}

async function createOnce(ctx: Context, data: Prisma.RefillRequestUncheckedCreateInput) {
  const where = { callSid_prescriptionId_kind: { callSid: data.callSid!, prescriptionId: data.prescriptionId, kind: data.kind! } };
  try {
    return await ctx.db.refillRequest.create({ data });
  } catch (err) {
    if (!(err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002')) throw err;
    return ctx.db.refillRequest.findUniqueOrThrow({ where });
  }
}
