import type { Context } from '../context';
import { updateCallRecord } from '../records/call-events';
import { absoluteUrl, VoiceResponse } from '../telephony/twiml';

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
 * Puts a caller into a routing queue and returns the TwiML that holds them there.
 * The routing module (src/routing) owns what happens next: hold music, position announcements,
 * assignment to an agent, escalation and callbacks.
 */
export async function transferToQueue(ctx: Context, t: TransferRequest): Promise<string> {
  await updateCallRecord(ctx, t.callSid, { queueName: t.queue, queueEnteredAt: ctx.clock.now(), intent: t.reason });
  const r = new VoiceResponse();
  r.enqueue({ waitUrl: absoluteUrl(ctx.config, `/webhooks/queue/wait?queue=${encodeURIComponent(t.queue)}`), action: absoluteUrl(ctx.config, '/webhooks/queue/left') }, t.queue);
  return r.toString();
}
