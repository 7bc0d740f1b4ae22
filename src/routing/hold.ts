import type { Context } from '../context';
import { absoluteUrl, VoiceResponse } from '../telephony/twiml';
import { routingConfig } from './config';
import { satisfies } from './expression';
import { listPresence } from './presence';
import { queueLanguage, queuePrompts, VOICES } from './prompts';
import { getTask, setTaskFields, waitingTaskIds, type RoutingTask } from './task-store';

/**
 * `<Enqueue>` into the Twilio queue named after the routing queue, with careline's waitUrl and
 * action. `attempt` is part of the URLs so a caller re-queued after a ring-no-answer makes new requests.
 */
export function enqueueTwiml(ctx: Context, queue: string, taskId: string, attempt: number): string {
  const r = new VoiceResponse();
  const q = `task=${encodeURIComponent(taskId)}&a=${attempt}`;
  r.enqueue({ waitUrl: absoluteUrl(ctx.config, `/webhooks/queue/wait?${q}&n=0`), action: absoluteUrl(ctx.config, `/webhooks/queue/left?${q}`) }, queue);
  return r.toString();
}

/** Where a waiting task stands: 1-based position among its queue's waiting tasks, and minutes to wait. */
export async function queueStanding(ctx: Context, task: RoutingTask): Promise<{ position: number; etaMinutes: number }> {
  const ids = await waitingTaskIds(ctx);
  let position = 0;
  for (const id of ids) {
    const other = id === task.id ? task : await getTask(ctx, id);
    if (other?.queue === task.queue) position++;
    if (id === task.id) break;
  }
  position = Math.max(1, position);
  const cfg = routingConfig(ctx);
  const req = task.steps[task.step]?.req ?? [{}];
  const staffed = (await listPresence(ctx)).filter((p) => p.state !== 'offline' && p.state !== 'break' && satisfies(p.skills, req)).length;
  const handle = cfg.queues[task.queue]?.avgHandleSec ?? 240;
  return { position, etaMinutes: Math.ceil((position * handle) / Math.max(1, staffed) / 60) };
}

/**
 * The TwiML a waiting caller hears on each waitUrl request: from time to time their position and
 * estimated wait, after a while the offer of a callback (press 1), then hold music. Twilio asks
 * again when it ends. After `voicemailAfterSec` the caller leaves for voicemail.
 * @param n - the step counter of this request (goes into the Gather action)
 */
export async function waitTwiml(ctx: Context, task: RoutingTask, attempt: number, n: number): Promise<string> {
  const cfg = routingConfig(ctx);
  const queueCfg = cfg.queues[task.queue];
  const lang = queueLanguage(task.language);
  const v = VOICES[lang];
  const r = new VoiceResponse();
  const now = ctx.clock.now().getTime();
  const waitedSec = (now - task.enqueuedAt) / 1000;
  const q = `task=${encodeURIComponent(task.id)}&a=${attempt}`;

  if (task.state !== 'waiting') {
    // Being connected: a moment of music until the dequeue takes the call.
    r.play({}, cfg.holdMusicUrl);
    return r.toString();
  }
  if (queueCfg?.voicemailAfterSec !== undefined && waitedSec >= queueCfg.voicemailAfterSec) {
    await setTaskFields(ctx, task.id, { leaveFor: 'voicemail' });
    r.leave();
    return r.toString();
  }
  const announce = task.lastAnnounceAt === undefined || now - task.lastAnnounceAt >= cfg.announceEverySec * 1000;
  const offerCallback = queueCfg?.offerCallbackAfterSec !== undefined && waitedSec >= queueCfg.offerCallbackAfterSec;
  const target = offerCallback
    ? r.gather({ numDigits: 1, timeout: 1, action: absoluteUrl(ctx.config, `/webhooks/queue/key?${q}&n=${n}`), method: 'POST' })
    : r;
  if (announce) {
    const { position, etaMinutes } = await queueStanding(ctx, task);
    target.say(v, queuePrompts.position(lang, position, etaMinutes));
    await setTaskFields(ctx, task.id, { lastAnnounceAt: String(now) });
  }
  if (offerCallback) target.say(v, queuePrompts.offerCallback(lang));
  target.play({}, cfg.holdMusicUrl);
  // No Redirect: when this document ends Twilio requests the waitUrl again by itself (with the
  // new QueueTime), which is how the caller keeps hearing music and fresh announcements.
  return r.toString();
}
