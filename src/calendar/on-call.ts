import type { Context } from '../context';

/**
 * The number of the clinician on call now for a role (nurse, pharmacist), from the on-call schedule.
 * @returns null when no shift covers this moment
 */
export async function onCallNumber(ctx: Context, role: string): Promise<string | null> {
  const now = ctx.clock.now();
  const shift = await ctx.db.onCallShift.findFirst({
    where: { role, start: { lte: now }, end: { gt: now } },
    orderBy: { start: 'desc' },
    select: { phone: true },
  });
  return shift?.phone ?? null;
}
