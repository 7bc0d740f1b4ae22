import { DateTime } from 'luxon';
import type { Context } from '../context';
import { rulesFor } from './hours';

/**
 * Opening hours as spoken text, e.g. "Monday to Friday, 8 AM to 6 PM".
 * @param departmentId - a department whose own hours to describe, if it has any
 */
export async function describeHours(ctx: Context, language: 'en' | 'es', departmentId?: string): Promise<string> {
  const rules = (await rulesFor(ctx, departmentId)).sort((a, b) => a.dayOfWeek - b.dayOfWeek);
  if (!rules.length) return '';
  const loc = language === 'es' ? 'es' : 'en';
  const dayName = (d: number) => DateTime.fromObject({ weekYear: 2024, weekNumber: 10, weekday: d as 1 }).setLocale(loc).toFormat('cccc');
  const time = (hhmm: string) => DateTime.fromFormat(hhmm, 'HH:mm').setLocale(loc).toFormat(loc === 'es' ? 'H:mm' : 'h:mm a');
  const groups: { from: number; to: number; opens: string; closes: string }[] = [];
  for (const r of rules) {
    const last = groups[groups.length - 1];
    if (last && last.to === r.dayOfWeek - 1 && last.opens === r.opens && last.closes === r.closes) last.to = r.dayOfWeek;
    else groups.push({ from: r.dayOfWeek, to: r.dayOfWeek, opens: r.opens, closes: r.closes });
  }
  const [to, and] = language === 'es' ? ['a', 'de'] : ['to', 'from'];
  return groups
    .map((g) => `${dayName(g.from)}${g.to !== g.from ? ` ${to} ${dayName(g.to)}` : ''}, ${and} ${time(g.opens)} ${to} ${time(g.closes)}`)
    .join('; ');
}
