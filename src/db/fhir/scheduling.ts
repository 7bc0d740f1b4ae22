import type { FhirAppointment, FhirSchedule, FhirSlot } from './resources';
import { changedFields, FhirImportError, type ImportState } from './state';

const PLACE_TYPES = ['Location', 'HealthcareService', 'Organization'];

/** Writes Schedules: a Practitioner actor and/or a department (see DEPARTMENT_SYSTEM) actor. */
export async function importSchedules(s: ImportState): Promise<void> {
  const entries = s.ofType<FhirSchedule>('Schedule');
  if (!entries.length) return;
  const existing = await s.tx.schedule.findMany({ where: { fhirId: { in: entries.map((e) => e.resource.id) } } });
  const byFhirId = new Map(existing.map((r) => [r.fhirId as string, r]));
  for (const { resource: sc } of entries) {
    let practitionerId: string | null = null;
    let departmentId: string | null = null;
    for (const actor of sc.actor) {
      const p = await s.rowId(actor, ['Practitioner']);
      if (p && p !== 'skipped') practitionerId ??= p;
      departmentId ??= await s.departmentId(actor);
    }
    const desired = { practitionerId, departmentId };
    const row = byFhirId.get(sc.id);
    if (row) {
      const changes = changedFields(row, desired);
      if (Object.keys(changes).length) await s.tx.schedule.update({ where: { id: row.id }, data: changes });
      s.count('Schedule', Object.keys(changes).length ? 'updated' : 'unchanged');
      s.remember('Schedule', sc.id, row.id);
    } else {
      const created = await s.tx.schedule.create({ data: { fhirId: sc.id, ...desired }, select: { id: true } });
      s.count('Schedule', 'created');
      s.remember('Schedule', sc.id, created.id);
    }
  }
}

/** Writes Slots in batches (a demo or clinic export holds hundreds). */
export async function importSlots(s: ImportState): Promise<void> {
  const entries = s.ofType<FhirSlot>('Slot');
  if (!entries.length) return;
  const existing = await s.tx.slot.findMany({ where: { fhirId: { in: entries.map((e) => e.resource.id) } } });
  const byFhirId = new Map(existing.map((r) => [r.fhirId as string, r]));
  const toCreate: Array<{ fhirId: string; scheduleId: string; start: Date; end: Date; status: string }> = [];
  for (const { index, resource: sl } of entries) {
    if (sl.status === 'entered-in-error') {
      s.skip(index, 'Slot', sl.id, 'entered-in-error');
      continue;
    }
    const scheduleId = await s.rowId(sl.schedule, ['Schedule']);
    if (!scheduleId || scheduleId === 'skipped') {
      throw new FhirImportError(`entry[${index}].resource (Slot/${sl.id}): schedule: reference ${sl.schedule.reference ?? '(none)'} is not in the bundle or the database`);
    }
    const desired = { scheduleId, start: new Date(sl.start), end: new Date(sl.end), status: sl.status === 'free' ? 'free' : 'busy' };
    const row = byFhirId.get(sl.id);
    if (!row) {
      toCreate.push({ fhirId: sl.id, ...desired });
      continue;
    }
    s.remember('Slot', sl.id, row.id);
    const changes = changedFields(row, desired);
    if (Object.keys(changes).length) await s.tx.slot.update({ where: { id: row.id }, data: changes });
    s.count('Slot', Object.keys(changes).length ? 'updated' : 'unchanged');
  }
  if (!toCreate.length) return;
  const created = await s.tx.slot.createManyAndReturn({ data: toCreate, select: { id: true, fhirId: true } });
  for (const r of created) s.remember('Slot', r.fhirId as string, r.id);
  s.count('Slot', 'created', created.length);
}

function appointmentStatus(status: FhirAppointment['status']): string {
  switch (status) {
    case 'fulfilled':
    case 'cancelled':
    case 'noshow':
      return status;
    default:
      return 'booked';
  }
}

/** Writes Appointments: a Patient participant is required; the slot's schedule gives the department. */
export async function importAppointments(s: ImportState): Promise<void> {
  const entries = s.ofType<FhirAppointment>('Appointment');
  if (!entries.length) return;
  const existing = await s.tx.appointment.findMany({ where: { fhirId: { in: entries.map((e) => e.resource.id) } } });
  const byFhirId = new Map(existing.map((r) => [r.fhirId as string, r]));
  const slotOwner = new Map<string, string>(); // slotId -> appointment fhirId, within this run
  for (const { index, resource: a } of entries) {
    const label = `entry[${index}].resource (Appointment/${a.id})`;
    if (a.status === 'entered-in-error') {
      s.skip(index, 'Appointment', a.id, 'entered-in-error');
      continue;
    }
    let patientId: string | null = null;
    let practitionerId: string | null = null;
    let departmentId: string | null = null;
    let patientSkipped = false;
    for (const part of a.participant) {
      const type = s.index.resolve(part.actor?.reference)?.type;
      if (type === 'Patient') {
        const id = await s.rowId(part.actor, ['Patient']);
        if (id === 'skipped') patientSkipped = true;
        else if (!id) throw new FhirImportError(`${label}: participant: reference ${part.actor?.reference} is not in the bundle or the database`);
        else patientId ??= id;
      } else if (type === 'Practitioner') {
        const id = await s.rowId(part.actor, ['Practitioner']);
        if (id && id !== 'skipped') practitionerId ??= id;
      } else if (type && PLACE_TYPES.includes(type)) {
        departmentId ??= await s.departmentId(part.actor);
      }
    }
    if (!patientId) {
      s.skip(index, 'Appointment', a.id, patientSkipped ? 'its patient was skipped' : 'no Patient participant');
      continue;
    }
    let slot: { id: string; start: Date; end: Date; departmentId: string | null } | null = null;
    if (a.slot?.length) {
      const slotId = await s.rowId(a.slot[0], ['Slot']);
      if (!slotId || slotId === 'skipped') throw new FhirImportError(`${label}: slot[0]: reference ${a.slot[0].reference} is not in the bundle or the database`);
      const row = await s.tx.slot.findUniqueOrThrow({ where: { id: slotId }, include: { schedule: { select: { departmentId: true } }, appointment: { select: { fhirId: true } } } });
      const takenBy = slotOwner.get(row.id) ?? row.appointment?.fhirId;
      if (takenBy && takenBy !== a.id) s.warnings.push(`${label}: slot already belongs to Appointment/${takenBy}; not linked`);
      else slot = { id: row.id, start: row.start, end: row.end, departmentId: row.schedule.departmentId };
    }
    const start = a.start ? new Date(a.start) : slot?.start;
    const end = a.end ? new Date(a.end) : slot?.end;
    if (!start || !end) {
      s.skip(index, 'Appointment', a.id, 'no start/end and no slot');
      continue;
    }
    const status = appointmentStatus(a.status);
    // A cancelled appointment releases its slot.
    const slotId = status === 'cancelled' ? null : (slot?.id ?? null);
    if (slotId) slotOwner.set(slotId, a.id);
    const desired = {
      patientId,
      practitionerId,
      departmentId: departmentId ?? slot?.departmentId ?? null,
      slotId,
      start,
      end,
      status,
      reason: a.reasonCode?.[0]?.text ?? a.reasonCode?.[0]?.coding?.[0]?.display ?? a.description ?? null,
    };
    const row = byFhirId.get(a.id);
    if (!row) {
      await s.tx.appointment.create({ data: { fhirId: a.id, ...desired } });
      s.count('Appointment', 'created');
      continue;
    }
    const changes = changedFields(row, desired);
    if (Object.keys(changes).length) await s.tx.appointment.update({ where: { id: row.id }, data: changes });
    s.count('Appointment', Object.keys(changes).length ? 'updated' : 'unchanged');
  }
}
