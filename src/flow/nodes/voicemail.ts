import { createCallbackTask } from '../../routing/callback-tasks';
import type { NodeHandler } from './types';

/**
 * `voicemail`: records a message, then makes a callback task (reason, priority, queue) due within one
 * business day; an empty recording still asks for a call back (Studio: record-voicemail).
 */
export const voicemailHandler: NodeHandler<'voicemail'> = {
  async enter(t, node) {
    t.speak(node.prompt);
    const url = t.stepUrl();
    t.r.record({ action: url, method: 'POST', maxLength: node.maxLength, timeout: 5, playBeep: true, finishOnKey: '#' });
    t.r.redirect({ method: 'POST' }, `${url}&silence=1`);
    return { wait: true };
  },
  async input(t, node, input) {
    const s = t.session;
    const recorded = Boolean(input.recordingUrl);
    const task = await createCallbackTask(t.ctx, {
      key: `voicemail:${s.callSid}:${s.node}`,
      callSid: s.callSid,
      patientId: s.verified ? s.patientId : undefined,
      phone: s.from ?? 'unknown',
      language: t.language,
      reason: node.reason,
      priority: node.priority,
      queueName: node.queue,
      recordingSid: input.recordingSid,
      recordingUrl: input.recordingUrl,
    });
    t.patch({
      outcome: recorded ? 'voicemail' : 'callback',
      ivrEndedAt: t.ctx.clock.now(),
      ...(recorded ? { recordingSid: input.recordingSid, recordingUrl: input.recordingUrl } : {}),
    });
    t.event({ key: `voicemail:${s.node}`, type: 'voicemail', name: node.reason, detail: { callbackTaskId: task.id, recorded, priority: node.priority } });
    return { go: node.next };
  },
};
