import type { Context } from '../context';
import type { Language } from '../flow/schema';
import { spokenDateTime } from './spoken';

/** How many open slots the caller hears at once. */
export const SLOTS_PER_PAGE = 3;
/** The earliest a slot can be booked by phone. */
const LEAD_MS = 60 * 60 * 1000;

export interface Offer {
  label: string;
  value: string;
}

/** Departments (clinics) that take appointments, named in the caller's language. */
export async function bookableDepartments(ctx: Context, lang: Language): Promise<Offer[]> {
  const depts = await ctx.db.department.findMany({
    where: { kind: 'clinic', schedules: { some: { slots: { some: { status: 'free', start: { gt: ctx.clock.now() } } } } } },
    orderBy: { name: 'asc' },
    take: 8,
  });
  return depts.map((d) => ({ label: lang === 'es' ? (d.nameEs ?? d.name) : d.name, value: d.code }));
}

/**
 * The next open slots of a department, read in the patient's time zone.
 * @param after - only slots starting after this (the "more times" cursor)
 */
export async function openSlots(ctx: Context, departmentCode: string, lang: Language, zone: string, after?: Date): Promise<(Offer & { start: Date })[]> {
  const now = ctx.clock.now();
  const from = new Date(Math.max(now.getTime() + LEAD_MS, after ? after.getTime() + 1 : 0));
  const slots = await ctx.db.slot.findMany({
    where: {
      status: 'free',
      start: { gte: from },
      schedule: { OR: [{ department: { code: departmentCode } }, { practitioner: { department: { code: departmentCode } } }] },
    },
    orderBy: [{ start: 'asc' }, { id: 'asc' }],
    take: SLOTS_PER_PAGE,
  });
  return slots.map((s) => ({ label: spokenDateTime(s.start, lang, zone), value: s.id, start: s.start }));
}

export type BookResult = { kind: 'booked'; appointmentId: string; start: Date } | { kind: 'taken' } | { kind: 'invalid' };

/**
 * Books a slot for a patient in one transaction: the slot goes from free to busy only if it is
 * still free (a conditional update), so of two callers pressing for the same slot at the same
 * moment one gets it and the other hears it was taken. Rescheduling cancels the old appointment
 * and frees its slot in the same transaction. Booking the same slot again in the same call answers
 * the first booking.
 * @param rescheduleId - the appointment this one replaces
 */
export async function bookSlot(ctx: Context, patientId: string, slotId: string, callSid: string, rescheduleId?: string): Promise<BookResult> {
  const again = await ctx.db.appointment.findFirst({ where: { slotId, patientId, bookedCallSid: callSid, status: 'booked' } });
  if (again) return { kind: 'booked', appointmentId: again.id, start: again.start };
  return ctx.db.$transaction(async (tx) => {
    const slot = await tx.slot.findUnique({ where: { id: slotId }, include: { schedule: { include: { practitioner: true } } } });
    if (!slot) return { kind: 'invalid' } as const;
    const { count } = await tx.slot.updateMany({ where: { id: slotId, status: 'free' }, data: { status: 'busy' } });
    if (count === 0) return { kind: 'taken' } as const;
    // A cancelled appointment may still name this slot (slotId is unique): release it first.
    await tx.appointment.updateMany({ where: { slotId, status: { not: 'booked' } }, data: { slotId: null } });
    const appt = await tx.appointment.create({
      data: {
        patientId,
        slotId,
        departmentId: slot.schedule.departmentId ?? slot.schedule.practitioner?.departmentId ?? null,
        practitionerId: slot.schedule.practitionerId,
        start: slot.start,
        end: slot.end,
        status: 'booked',
        bookedCallSid: callSid,
        reason: rescheduleId ? 'rescheduled by phone' : 'booked by phone',
      },
    });
    if (rescheduleId) await cancelIn(tx, patientId, rescheduleId);
    return { kind: 'booked', appointmentId: appt.id, start: slot.start } as const;
  });
}

type Tx = Parameters<Parameters<Context['db']['$transaction']>[0]>[0];

async function cancelIn(tx: Tx, patientId: string, appointmentId: string): Promise<boolean> {
  const appt = await tx.appointment.findFirst({ where: { id: appointmentId, patientId, status: 'booked' } });
  if (!appt) return false;
  await tx.appointment.update({ where: { id: appt.id }, data: { status: 'cancelled', slotId: null } });
  if (appt.slotId) await tx.slot.update({ where: { id: appt.slotId }, data: { status: 'free' } });
  return true;
}

/** Cancels one of the patient's booked appointments and frees its slot. */
export async function cancelAppointment(ctx: Context, patientId: string, appointmentId: string): Promise<boolean> {
  return ctx.db.$transaction((tx) => cancelIn(tx, patientId, appointmentId));
}

/** The patient's upcoming booked appointments, read in their time zone. */
export async function upcomingAppointments(ctx: Context, patientId: string, lang: Language, zone: string): Promise<(Offer & { departmentCode: string | null })[]> {
  const appts = await ctx.db.appointment.findMany({
    where: { patientId, status: 'booked', start: { gt: ctx.clock.now() } },
    orderBy: { start: 'asc' },
    include: { department: true },
    take: 5,
  });
  return appts.map((a) => {
    const dept = a.department ? (lang === 'es' ? (a.department.nameEs ?? a.department.name) : a.department.name) : '';
    return { label: `${dept ? `${dept}, ` : ''}${spokenDateTime(a.start, lang, zone)}`, value: a.id, departmentCode: a.department?.code ?? null };
  });
}
