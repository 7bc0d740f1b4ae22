import { getAction } from '../actions';
import type { VarValue } from '../session';
import type { NodeHandler } from './types';

/**
 * `action`: runs a named TypeScript action and branches on its result (Studio: run-function,
 * make-http-request). An action throwing is fatal for the call (it ends politely).
 */
export const actionHandler: NodeHandler<'action'> = {
  async enter(t, node) {
    const spec = getAction(node.action);
    if (!spec) throw new Error(`unknown action "${node.action}"`);
    const args: Record<string, VarValue> = {};
    for (const [k, v] of Object.entries(node.args)) args[k] = typeof v === 'string' ? t.fill(v) : v;
    const result = await spec.fn({
      ctx: t.ctx,
      session: t.session,
      args,
      language: t.language,
      prompt: (key, extra) => t.text(key, extra),
      log: t.log,
      record: (patch) => t.patch(patch),
      visitKey: `${t.session.seq}:${t.session.node}`,
    });
    t.event({ key: `action:${t.session.seq}:${t.session.node}`, type: 'action', name: node.action, detail: { result } });
    if (t.session.vars.intent !== undefined) t.patch({ intent: String(t.session.vars.intent) });
    const next = node.on[result] ?? node.next;
    if (!next) throw new Error(`action "${node.action}" returned "${result}", which node "${t.session.node}" does not handle`);
    return { go: next };
  },
};
