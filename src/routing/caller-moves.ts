import type { Context } from '../context';
import { absoluteUrl } from '../telephony/twiml';
import type { Conversation } from './conversation';
import { getTask } from './task-store';

// Moving the caller's leg out of a conference is a REST redirect of the caller's call: Twilio
// takes it out of the conference and runs careline's new TwiML.

/** Takes the caller out of the conference and back into their queue (a ring-no-answer or a decline). */
export async function callerBackToQueue(ctx: Context, taskId: string): Promise<void> {
  const task = await getTask(ctx, taskId);
  if (!task?.callSid || task.state !== 'waiting') return;
  const url = absoluteUrl(ctx.config, `/webhooks/agent-call/requeue?task=${encodeURIComponent(task.id)}&a=${task.attempts}`);
  await ctx.twilio.calls(task.callSid).update({ url, method: 'POST' });
}

/** Ends the caller's call politely: goodbye in their language, then hang up. */
export async function sayGoodbyeToCaller(ctx: Context, conv: Pick<Conversation, 'name' | 'callerSid'>): Promise<void> {
  const url = absoluteUrl(ctx.config, `/webhooks/conference/goodbye?conf=${encodeURIComponent(conv.name)}`);
  await ctx.twilio.calls(conv.callerSid).update({ url, method: 'POST' }).catch((err: unknown) => ctx.log.warn("could not end the caller's call", { callSid: conv.callerSid, err }));
}
