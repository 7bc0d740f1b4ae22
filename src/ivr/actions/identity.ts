import { registerAction } from '../../flow/actions';
import { MAX_TRIES_PER_CALL, patientsByCallerId, verifyIdentity } from '../identity';

registerAction(
  'caller.identify',
  async ({ ctx, session }) => {
    const candidates = await patientsByCallerId(ctx, session.from);
    const match = candidates.length === 0 ? 'none' : candidates.length === 1 ? 'one' : 'many';
    session.vars.candidates = candidates;
    session.vars.callerMatch = match;
    return match;
  },
  { results: ['one', 'many', 'none'] },
);

registerAction(
  'identity.verify',
  async ({ ctx, session, record }) => {
    const candidates = Array.isArray(session.vars.candidates) ? session.vars.candidates.map(String) : [];
    const dob = String(session.vars.dob ?? '');
    const factor = typeof session.vars.factor === 'string' ? session.vars.factor : undefined;
    const result = await verifyIdentity(ctx, session.callSid, { candidates, dob, factor });
    // What the caller keyed is needed for this check only: it does not stay in the session.
    delete session.vars.dob;
    delete session.vars.factor;
    if (result.ok) {
      session.patientId = result.patientId;
      session.verified = true;
      session.vars.firstName = result.givenName;
      session.vars.timeZone = result.timeZone;
      record({ patientId: result.patientId, verified: true });
      return 'verified';
    }
    if (result.locked) return 'locked';
    const tries = Number(session.vars.verifyTries ?? 0) + 1;
    session.vars.verifyTries = tries;
    return tries >= MAX_TRIES_PER_CALL ? 'retry_limit' : 'failed';
  },
  { results: ['verified', 'failed', 'retry_limit', 'locked'] },
);
