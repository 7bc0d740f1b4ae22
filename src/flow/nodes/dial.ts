import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { NodeHandler } from './types';

/**
 * `dial`: calls an outside number (e.g. the on-call clinician) with a timeout; a connected call
 * goes on to `next` when it ends, anything else (no answer, busy, failed, no number) to
 * `fallback` (Studio: connect-call-to).
 */
export const dialHandler: NodeHandler<'dial'> = {
  async enter(t, node) {
    const number = parsePhoneNumberFromString(t.fill(node.number), 'US');
    if (!number?.isPossible()) return { go: node.fallback };
    t.speak(node.prompt);
    t.r.dial({ action: t.stepUrl(), method: 'POST', timeout: node.timeout, callerId: t.ctx.config.CARELINE_PHONE_NUMBER }, number.number);
    return { wait: true };
  },
  async input(t, node, input) {
    const answered = input.dialStatus === 'completed' || input.dialStatus === 'answered';
    t.event({ key: `dial:${t.session.step}`, type: 'dial', name: t.session.node, detail: { status: input.dialStatus ?? 'unknown' } });
    return { go: answered ? node.next : node.fallback };
  },
};
