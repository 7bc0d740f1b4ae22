import { DateTime } from 'luxon';
import type { Context } from '../context';
import { isHoliday, minutes, rulesFor, zoneOf } from './hours';

/**
 * The end of the Nth business day after a moment (closing time of that day), skipping closed days
 * and holidays: a callback "within one business day" is due then.
 */
export async function addBusinessDays(ctx: Context, from: Date, days: number): Promise<Date> {
  const rules = await rulesFor(ctx);
  const tz = zoneOf(ctx, rules);
  let day = DateTime.fromJSDate(from, { zone: tz }).startOf('day');
  let counted = 0;
  for (let i = 0; i < 60; i++) {
    day = day.plus({ days: 1 });
    const rule = rules.find((r) => r.dayOfWeek === day.weekday);
    if (!rules.length || (rule && !(await isHoliday(ctx, day)))) {
      counted++;
      if (counted === days) {
        const close = rule ? minutes(rule.closes) : 17 * 60;
        return day.plus({ minutes: close }).toJSDate();
      }
    }
  }
  return day.toJSDate();
}
