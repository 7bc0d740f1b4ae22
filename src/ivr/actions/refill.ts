import { registerAction } from '../../flow/actions';
import { requestRefill } from '../refill';
import { spokenDateTime } from '../spoken';

registerAction(
  'refill.request',
  async ({ ctx, session, language, record }) => {
    if (!session.verified || !session.patientId) throw new Error('refill.request needs a verified patient');
    const outcome = await requestRefill(ctx, session.patientId, String(session.vars.rx ?? ''), session.callSid);
    if (outcome.kind === 'unknown') {
      const misses = Number(session.vars.rxMisses ?? 0) + 1;
      session.vars.rxMisses = misses;
      return misses >= 2 ? 'unknown_again' : 'unknown';
    }
    session.vars.drug = outcome.drug;
    session.vars.intent = 'refill';
    if (outcome.kind === 'renewal') {
      record({ outcome: 'self_served' });
      return 'renewal';
    }
    const zone = typeof session.vars.timeZone === 'string' ? session.vars.timeZone : ctx.config.PRACTICE_TIME_ZONE;
    session.vars.readyText = spokenDateTime(outcome.readyAt, language, zone, ctx.clock.now());
    record({ outcome: 'self_served' });
    return 'requested';
  },
  { results: ['requested', 'renewal', 'unknown', 'unknown_again'] },
);
