import type { Context } from '../context';
import { updateCallRecord } from '../records/call-events';
import { enqueueTwiml } from './hold';
import { enterQueue } from './queue-entry';
import { callTaskId } from './task-store';

/** What the IVR knows when it hands a caller to a person. */
export interface TransferRequest {
  callSid: string;
  /** routing queue: pharmacy, scheduling, clinical, billing, general */
  queue: string;
  /** skills the answering agent must have, e.g. ['es', 'pharmacist'] */
  requiredSkills: string[];
  priority?: number;
  language: 'en' | 'es';
  /** intent for the screen pop and reports: refill, appointment, clinical, billing, operator */
  reason: string;
  patientId?: string;
  verified: boolean;
  /** IVR path so far, for the screen pop */
  ivrPath?: string[];
  from?: string;
}

/**
 * Puts a caller into a routing queue and returns the TwiML that holds them there (`<Enqueue>` with
 * careline's waitUrl). Routing then owns the call: hold music and announcements, assignment to an
 * agent (on the first wait request, when an agent becomes available, and on the escalation tick),
 * escalation and callbacks. Idempotent per CallSid.
 */
export async function transferToQueue(ctx: Context, t: TransferRequest): Promise<string> {
  await updateCallRecord(ctx, t.callSid, { queueName: t.queue, queueEnteredAt: ctx.clock.now(), intent: t.reason, language: t.language });
  const task = await enterQueue(ctx, {
    kind: 'call',
    id: callTaskId(t.callSid),
    callSid: t.callSid,
    queue: t.queue,
    language: t.language,
    reason: t.reason,
    requiredSkills: t.requiredSkills,
    verified: t.verified,
    from: t.from,
    requestedPriority: t.priority,
    pop: { ivrPath: t.ivrPath ?? [], patientId: t.verified ? t.patientId : undefined, from: t.from },
  });
  return enqueueTwiml(ctx, task.queue, task.id, 0);
}
