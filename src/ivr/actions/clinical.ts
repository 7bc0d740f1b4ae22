import { registerAction } from '../../flow/actions';
import { describeHours } from '../../calendar/describe-hours';
import { onCallNumber } from '../../calendar/on-call';

registerAction(
  'oncall.find',
  async ({ ctx, session, args }) => {
    const role = String(args.role ?? session.vars.role ?? 'nurse');
    const phone = await onCallNumber(ctx, role);
    if (!phone) return 'none';
    session.vars.onCallPhone = phone;
    return 'found';
  },
  { results: ['found', 'none'] },
);

registerAction(
  'hours.describe',
  async ({ ctx, session, language }) => {
    // A transfer closed by a department's own hours (e.g. the pharmacy's) names that department.
    const code = typeof session.vars.closedDepartment === 'string' ? session.vars.closedDepartment : undefined;
    const department = code ? await ctx.db.department.findUnique({ where: { code }, select: { id: true, name: true, nameEs: true } }) : null;
    session.vars.hours = await describeHours(ctx, language, department?.id);
    if (department) session.vars.closedName = (language === 'es' ? department.nameEs : undefined) ?? department.name;
    else delete session.vars.closedName;
    return 'ok';
  },
  { results: ['ok'] },
);
