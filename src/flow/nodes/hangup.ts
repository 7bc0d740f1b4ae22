import type { NodeHandler } from './types';

/** `hangup`: a last prompt, the call's outcome on its record, and goodbye. */
export const hangupHandler: NodeHandler<'hangup'> = {
  async enter(t, node) {
    t.speak(node.prompt);
    t.patch({ ivrEndedAt: t.ctx.clock.now(), ...(node.outcome ? { outcome: node.outcome } : {}) });
    t.r.hangup();
    return { end: true };
  },
};
