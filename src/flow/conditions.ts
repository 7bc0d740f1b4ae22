import { DateTime } from 'luxon';
import type { Context } from '../context';
import { departmentIdByCode, isHoliday, isOpen } from '../calendar/hours';
import type { Condition } from './schema';
import type { VarValue } from './session';

/**
 * Evaluates one branch condition against the call's variables, the business hours and holidays.
 * @param vars - the call's variables (with built-ins)
 */
export async function evaluate(ctx: Context, c: Condition, vars: Record<string, VarValue>): Promise<boolean> {
  if ('open' in c) {
    const dept = c.department ? await departmentIdByCode(ctx, c.department) : undefined;
    return (await isOpen(ctx, ctx.clock.now(), dept)) === c.open;
  }
  if ('holiday' in c) {
    const local = DateTime.fromJSDate(ctx.clock.now(), { zone: ctx.config.PRACTICE_TIME_ZONE });
    return (await isHoliday(ctx, local)) === c.holiday;
  }
  const v = vars[c.var];
  if ('eq' in c) return v === c.eq || (v !== undefined && v !== null && String(v) === String(c.eq));
  if ('ne' in c) return !(v === c.ne || (v !== undefined && v !== null && String(v) === String(c.ne)));
  if ('in' in c) return c.in.some((x) => x === v || (v !== undefined && v !== null && String(v) === String(x)));
  if ('set' in c) return (v !== undefined && v !== null && v !== '') === c.set;
  const n = typeof v === 'number' ? v : Number(v);
  if (v === undefined || v === null || Number.isNaN(n)) return false;
  if ('gt' in c) return n > c.gt;
  if ('gte' in c) return n >= c.gte;
  return n < c.lt;
}
