import type { Context } from '../context';
import { addBusinessDays } from '../ivr/business-hours';

export interface NewCallbackTask {
  /** Idempotency key: the same key never makes a second task. */
  key: string;
  callSid?: string;
  patientId?: string;
  phone: string;
  language?: string;
  reason: string;
  priority?: number;
  queueName?: string;
  recordingSid?: string;
  recordingUrl?: string;
  dueAt?: Date;
}

/**
 * Creates a callback task once per key, due within one business day unless told otherwise.
 * @returns the task (the existing one when the key was seen before)
 */
export async function createCallbackTask(ctx: Context, t: NewCallbackTask) {
  const dueAt = t.dueAt ?? (await addBusinessDays(ctx, ctx.clock.now(), 1));
  return ctx.db.callbackTask.upsert({
    where: { key: t.key },
    create: {
      key: t.key,
      callSid: t.callSid,
      patientId: t.patientId,
      phone: t.phone,
      language: t.language ?? 'en',
      reason: t.reason,
      priority: t.priority ?? 0,
      queueName: t.queueName,
      recordingSid: t.recordingSid,
      recordingUrl: t.recordingUrl,
      dueAt,
    },
    update: {},
  });
}
