import { departmentIdByCode, isOpen } from '../../calendar/hours';
import { transferToQueue } from '../../routing/transfer';
import type { NodeOf } from '../schema';
import type { Turn } from '../turn';
import type { NodeHandler } from './types';

async function handOff(t: Turn, node: NodeOf<'transfer'>) {
  const s = t.session;
  const requiredSkills = [...new Set(node.skills.map((k) => t.fill(k)).filter(Boolean))];
  const twiml = await transferToQueue(t.ctx, {
    callSid: s.callSid,
    queue: node.queue,
    requiredSkills,
    priority: node.priority,
    language: t.language,
    reason: node.reason,
    patientId: s.verified ? s.patientId : undefined,
    verified: s.verified,
    ivrPath: s.path.slice(-30),
    from: s.from,
  });
  // No outcome here: the hand-off is an event; what happens to the caller next (an agent answers,
  // they hang up in the queue, they leave for voicemail) is the outcome, set by routing or derived
  // when the call ends (records/finalize.ts).
  t.patch({ ivrEndedAt: t.ctx.clock.now(), intent: typeof s.vars.intent === 'string' ? s.vars.intent : node.reason });
  t.event({ key: `transfer:${s.seq}`, type: 'transfer', name: node.queue, detail: { skills: requiredSkills, priority: node.priority, verified: s.verified } });
  s.ended = true;
  return twiml;
}

/**
 * `transfer`: hands the caller to a routing queue with required skills and a priority (Studio:
 * enqueue-call), or to `closed` when the practice (or the node's department) is closed. The
 * routing module's TwiML is the whole answer, so prompts spoken first are followed by a Redirect
 * that fetches it.
 */
export const transferHandler: NodeHandler<'transfer'> = {
  async enter(t, node) {
    if (node.closed) {
      const department = node.department ? await departmentIdByCode(t.ctx, node.department) : undefined;
      if (!(await isOpen(t.ctx, t.ctx.clock.now(), department))) {
        // The closed path tells the caller whose hours these are (common/after-hours): the
        // department's when only it is closed, the practice's when the office is closed too.
        if (department && (await isOpen(t.ctx, t.ctx.clock.now()))) t.session.vars.closedDepartment = node.department!;
        else delete t.session.vars.closedDepartment;
        return { go: node.closed };
      }
    }
    t.speak(node.prompt);
    if (t.isEmpty) {
      t.replaceWith(await handOff(t, node));
      return { end: true };
    }
    t.r.redirect({ method: 'POST' }, t.stepUrl());
    return { wait: true };
  },
  async input(t, node) {
    t.replaceWith(await handOff(t, node));
    return { end: true };
  },
};
