import { registerAction } from '../../flow/actions';
import { describeHours } from '../business-hours';
import { onCallNumber } from '../on-call';

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
    session.vars.hours = await describeHours(ctx, language);
    return 'ok';
  },
  { results: ['ok'] },
);
