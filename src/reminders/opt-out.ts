import type { Context } from '../context';

export interface OptOutRequest {
  /** E.164 number that must not be called again */
  readonly phone: string;
  readonly patientId?: string | null;
  /** ivr (the patient pressed 9) or staff */
  readonly source: 'ivr' | 'staff';
  /** staff member who entered it */
  readonly createdBy?: string;
}

/**
 * Records an opt-out and stops every reminder still waiting for that number at once, in every
 * campaign (a reminder already dialing finishes its call; the dial step re-checks OptOut too).
 * @returns how many waiting reminders were stopped
 */
export async function optOut(ctx: Context, r: OptOutRequest): Promise<number> {
  await ctx.db.optOut.upsert({
    where: { phone: r.phone },
    create: { phone: r.phone, patientId: r.patientId ?? undefined, source: r.source, createdBy: r.createdBy, createdAt: ctx.clock.now() },
    update: {},
  });
  const { count } = await ctx.db.reminder.updateMany({
    where: { phone: r.phone, status: 'pending' },
    data: { status: 'opted_out', outcome: 'opted_out' },
  });
  ctx.log.info('reminder opt-out recorded', { source: r.source, stoppedReminders: count });
  return count;
}

/** Whether a number has opted out of reminder calls. */
export async function isOptedOut(ctx: Context, phone: string): Promise<boolean> {
  return (await ctx.db.optOut.count({ where: { phone } })) > 0;
}
