import type { NodeHandler } from './types';

/** `call`: runs another flow, then comes back to `next` when that flow reaches a `return` node. */
export const callHandler: NodeHandler<'call'> = {
  async enter(t, node) {
    const sub = t.set.flows.get(node.flow);
    if (!sub) throw new Error(`flow "${node.flow}" is not loaded`);
    if (t.session.stack.length >= 8) throw new Error('sub-flows nested too deep');
    t.session.stack.push({ flow: t.session.flow, node: node.next });
    t.session.flow = sub.name;
    return { go: sub.start };
  },
};

/** `return`: back to the flow that called this one; at the top level the call ends. */
export const returnHandler: NodeHandler<'return'> = {
  async enter(t) {
    const back = t.session.stack.pop();
    if (!back) {
      t.r.hangup();
      return { end: true };
    }
    t.session.flow = back.flow;
    return { go: back.node };
  },
};
