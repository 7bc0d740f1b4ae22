import { evaluate } from '../conditions';
import type { NodeHandler } from './types';

/** `branch`: the first case whose conditions all hold, else `default` (Studio: split-based-on). */
export const branchHandler: NodeHandler<'branch'> = {
  async enter(t, node) {
    const vars = t.scope();
    for (const c of node.cases) {
      const all = Array.isArray(c.when) ? c.when : [c.when];
      let ok = true;
      for (const cond of all) if (!(await evaluate(t.ctx, cond, vars))) ok = false;
      if (ok) return { go: c.next };
    }
    return { go: node.default };
  },
};
