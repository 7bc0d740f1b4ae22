import { registerAction, type ActionInput } from '../flow/actions';
import { spokenDateTime } from '../ivr/spoken';
import { RESPONSES, recordResponse, type ReminderResponse } from './attempt-outcome';
import { optOut } from './opt-out';
import { spokenNumber } from './voicemail';

// Actions of the reminder flows (flows/reminders/*.yaml). The call's reminder id comes from the
// flow start URL (`reminderId` variable); the reminder row is re-read every time.

async function reminderOf({ ctx, session }: ActionInput) {
  const id = typeof session.vars.reminderId === 'string' ? session.vars.reminderId : '';
  if (!id) return null;
  return ctx.db.reminder.findUnique({
    where: { id },
    include: {
      prescription: { select: { rxNumber: true, drug: true } },
      appointment: { select: { start: true, status: true, practitioner: { select: { givenName: true, familyName: true } }, department: { select: { name: true, nameEs: true } } } },
    },
  });
}

registerAction(
  'reminder.load',
  async (input) => {
    const { ctx, session, record } = input;
    session.vars.callbackNumber = spokenNumber(ctx.config.CARELINE_PHONE_NUMBER);
    const r = await reminderOf(input);
    if (!r) return 'gone';
    // identity.verify checks the date of birth against these candidates only: the called patient.
    session.vars.candidates = [r.patientId];
    session.vars.intent = r.prescriptionId ? 'refill' : 'appointment';
    record({ reminderId: r.id, intent: r.prescriptionId ? 'refill' : 'appointment' });
    return 'ok';
  },
  { results: ['ok', 'gone'] },
);

registerAction(
  'reminder.details',
  async (input) => {
    const { ctx, session, language } = input;
    if (!session.verified) throw new Error('reminder.details needs a verified patient');
    const r = await reminderOf(input);
    if (!r || r.patientId !== session.patientId) return 'gone';
    if (r.prescription) {
      session.vars.rx = r.prescription.rxNumber;
      session.vars.drug = r.prescription.drug;
    }
    if (r.appointment) {
      if (r.appointment.status !== 'booked') return 'gone';
      const zone = typeof session.vars.timeZone === 'string' ? session.vars.timeZone : r.timeZone;
      const when = spokenDateTime(r.appointment.start, language, zone, ctx.clock.now());
      const who = r.appointment.practitioner
        ? `${r.appointment.practitioner.givenName} ${r.appointment.practitioner.familyName}`
        : (language === 'es' ? r.appointment.department?.nameEs : undefined) ?? r.appointment.department?.name;
      session.vars.appointmentText = who ? (language === 'es' ? `${when} con ${who}` : `${when} with ${who}`) : when;
    }
    return 'ok';
  },
  { results: ['ok', 'gone'] },
);

registerAction(
  'reminder.respond',
  async ({ ctx, session, args }) => {
    const response = String(args.response) as ReminderResponse;
    if (!RESPONSES.includes(response)) throw new Error(`reminder.respond: unknown response "${response}"`);
    await recordResponse(ctx, session.callSid, response);
    return 'ok';
  },
  { results: ['ok'] },
);

registerAction(
  'reminder.optOut',
  async (input) => {
    const { ctx, session } = input;
    const r = await reminderOf(input);
    if (r) await optOut(ctx, { phone: r.phone, patientId: r.patientId, source: 'ivr' });
    await recordResponse(ctx, session.callSid, 'opted_out');
    return 'ok';
  },
  { results: ['ok'] },
);
