import { registerAction } from '../../flow/actions';
import type { CallSession } from '../../flow/session';
import { bookableDepartments, bookSlot, cancelAppointment, openSlots, upcomingAppointments } from '../scheduling';
import { spokenDateTime } from '../spoken';

function patientOf(session: CallSession): string {
  if (!session.verified || !session.patientId) throw new Error('appointment actions need a verified patient');
  return session.patientId;
}

function zoneOf(session: CallSession, fallback: string): string {
  return typeof session.vars.timeZone === 'string' ? session.vars.timeZone : fallback;
}

registerAction(
  'appointments.departments',
  async ({ ctx, session, language }) => {
    patientOf(session);
    const depts = await bookableDepartments(ctx, language);
    session.vars.departments = depts.map((d) => ({ label: d.label, value: d.value }));
    return depts.length ? 'found' : 'none';
  },
  { results: ['found', 'none'] },
);

registerAction(
  'appointments.findSlots',
  async ({ ctx, session, language, args }) => {
    patientOf(session);
    const dept = String(session.vars.department ?? '');
    const more = args.more === true || args.more === 'true';
    const after = more && typeof session.vars.slotCursor === 'string' ? new Date(session.vars.slotCursor) : undefined;
    const slots = await openSlots(ctx, dept, language, zoneOf(session, ctx.config.PRACTICE_TIME_ZONE), after);
    if (!slots.length) return more ? 'no_more' : 'none';
    session.vars.slots = slots.map((s) => ({ label: s.label, value: s.value }));
    session.vars.slotCursor = slots[slots.length - 1]!.start.toISOString();
    return 'found';
  },
  { results: ['found', 'none', 'no_more'] },
);

registerAction(
  'appointments.book',
  async ({ ctx, session, language, record }) => {
    const patientId = patientOf(session);
    const rescheduleId = typeof session.vars.reschedule === 'string' ? session.vars.reschedule : undefined;
    const result = await bookSlot(ctx, patientId, String(session.vars.slot ?? ''), session.callSid, rescheduleId);
    if (result.kind !== 'booked') return result.kind;
    session.vars.bookedText = spokenDateTime(result.start, language, zoneOf(session, ctx.config.PRACTICE_TIME_ZONE));
    session.vars.intent = 'appointment';
    delete session.vars.reschedule;
    record({ outcome: 'self_served' });
    return 'booked';
  },
  { results: ['booked', 'taken', 'invalid'] },
);

registerAction(
  'appointments.upcoming',
  async ({ ctx, session, language }) => {
    const list = await upcomingAppointments(ctx, patientOf(session), language, zoneOf(session, ctx.config.PRACTICE_TIME_ZONE));
    session.vars.appointments = list.map((a) => ({ label: a.label, value: a.value }));
    session.vars.appointmentDepartments = Object.fromEntries(list.map((a) => [a.value, a.departmentCode]));
    return list.length ? 'found' : 'none';
  },
  { results: ['found', 'none'] },
);

registerAction(
  'appointments.prepareReschedule',
  async ({ session }) => {
    patientOf(session);
    const id = String(session.vars.chosen ?? '');
    const depts = session.vars.appointmentDepartments;
    const dept = depts && typeof depts === 'object' && !Array.isArray(depts) ? depts[id] : undefined;
    if (typeof dept !== 'string') return 'invalid';
    session.vars.reschedule = id;
    session.vars.department = dept;
    return 'ok';
  },
  { results: ['ok', 'invalid'] },
);

registerAction(
  'appointments.cancel',
  async ({ ctx, session, record }) => {
    const ok = await cancelAppointment(ctx, patientOf(session), String(session.vars.chosen ?? ''));
    if (!ok) return 'invalid';
    session.vars.intent = 'appointment';
    record({ outcome: 'self_served' });
    return 'cancelled';
  },
  { results: ['cancelled', 'invalid'] },
);
