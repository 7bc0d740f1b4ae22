import { registerAction } from '../flow/actions';
import { requestRefill } from '../ivr/refill';
import { spokenDateTime, spokenList } from '../ivr/spoken';

// A patient with several prescriptions coming due gets one reminder per prescription (its key stops
// doubles), but should not get a call for each: once verified on one of them, the patient hears
// every refill of theirs still waiting for a call, and one key press requests them all. Those
// reminders are then answered by this call and never dialed.

const MAX_GROUPED = 5;

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

registerAction(
  'reminder.dueRefills',
  async ({ ctx, session, language }) => {
    if (!session.verified || !session.patientId) throw new Error('reminder.dueRefills needs a verified patient');
    // This call's own prescription, as reminder.details put it in the session.
    const [rx, drug] = [session.vars.rx, session.vars.drug];
    if (typeof rx !== 'string' || typeof drug !== 'string') return 'one';
    const id = typeof session.vars.reminderId === 'string' ? session.vars.reminderId : '';
    const others = await ctx.db.reminder.findMany({
      where: { patientId: session.patientId, status: 'pending', id: { not: id }, prescription: { status: 'active' } },
      select: { id: true, prescription: { select: { rxNumber: true, drug: true } } },
      orderBy: { createdAt: 'asc' },
      take: MAX_GROUPED - 1,
    });
    const drugs = new Map([[rx, drug]]);
    for (const o of others) if (o.prescription) drugs.set(o.prescription.rxNumber, o.prescription.drug);
    // Only this prescription (another reminder of it is a later due date): the usual menu.
    if (drugs.size < 2) return 'one';
    session.vars.rxList = [...drugs.keys()];
    session.vars.groupedReminders = others.map((o) => o.id);
    session.vars.rxCount = drugs.size;
    session.vars.drugs = spokenList([...drugs.values()].sort(), language);
    return 'many';
  },
  { results: ['one', 'many'] },
);

registerAction(
  'reminder.refillAll',
  async ({ ctx, session, language, record }) => {
    if (!session.verified || !session.patientId) throw new Error('reminder.refillAll needs a verified patient');
    const requested: { drug: string; readyAt: Date }[] = [];
    const renewals: string[] = [];
    for (const rx of strings(session.vars.rxList)) {
      const o = await requestRefill(ctx, session.patientId, rx, session.callSid);
      if (o.kind === 'requested') requested.push(o);
      else if (o.kind === 'renewal') renewals.push(o.drug);
    }
    if (!requested.length && !renewals.length) return 'unknown';
    // The grouped reminders are answered by this call: never dialed (unless one is already being dialed).
    await ctx.db.reminder.updateMany({
      where: { id: { in: strings(session.vars.groupedReminders) }, patientId: session.patientId, status: 'pending' },
      data: { status: 'completed', outcome: 'refill_requested' },
    });
    session.vars.intent = 'refill';
    record({ outcome: 'self_served' });
    session.vars.renewalDrugs = spokenList(renewals.sort(), language);
    if (!requested.length) return 'renewal';
    const zone = typeof session.vars.timeZone === 'string' ? session.vars.timeZone : ctx.config.PRACTICE_TIME_ZONE;
    const latest = requested.reduce((a, b) => (b.readyAt > a.readyAt ? b : a));
    session.vars.drug = spokenList(requested.map((r) => r.drug).sort(), language);
    session.vars.readyText = spokenDateTime(latest.readyAt, language, zone, ctx.clock.now());
    return renewals.length ? 'some_renewals' : 'requested';
  },
  { results: ['requested', 'some_renewals', 'renewal', 'unknown'] },
);
