import type { Request, Response } from 'express';
import { Redis } from 'ioredis';
import type { Context } from '../context';

// Live updates to browsers: any instance publishes on Redis pub/sub, every instance holding an SSE
// stream for that agent (or a supervisor) forwards it. Channels are not keys, so ioredis does not
// prefix them: the deployment prefix is added here.
const HEARTBEAT_MS = 15_000;

function agentChannel(ctx: Context, agentId: string): string {
  return `${ctx.redisPrefix}live:agent:${agentId}`;
}

function supervisorChannel(ctx: Context): string {
  return `${ctx.redisPrefix}live:supervisor`;
}

/** A live event; `type` tells the browser what changed. */
export interface LiveEvent {
  type: string;
  [field: string]: unknown;
}

/** Sends an event to every open console of one agent, on any instance. */
export async function publishAgentEvent(ctx: Context, agentId: string, event: LiveEvent): Promise<void> {
  await ctx.redis.publish(agentChannel(ctx, agentId), JSON.stringify(event));
}

/** Sends an event to every open supervisor view, on any instance. */
export async function publishSupervisorEvent(ctx: Context, event: LiveEvent): Promise<void> {
  await ctx.redis.publish(supervisorChannel(ctx), JSON.stringify(event));
}

/**
 * Turns a response into a Server-Sent Events stream of an agent's (and optionally the
 * supervisors') events. One Redis subscriber per stream, closed with the stream.
 * @param initial - events sent first (the current state), so a reloaded page is whole
 */
export async function openEventStream(
  ctx: Context,
  req: Request,
  res: Response,
  opts: { agentId: string; supervisor: boolean; initial: LiveEvent[] },
): Promise<void> {
  const sub = new Redis(ctx.redisUrl, { maxRetriesPerRequest: null, lazyConnect: true });
  const channels = [agentChannel(ctx, opts.agentId), ...(opts.supervisor ? [supervisorChannel(ctx)] : [])];
  let closed = false;
  const write = (data: string) => {
    if (!closed) res.write(data);
  };
  const close = () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    sub.disconnect();
  };
  const heartbeat = setInterval(() => write(': ping\n\n'), HEARTBEAT_MS);
  req.on('close', close);
  res.on('close', close);
  sub.on('error', (err: Error) => ctx.log.warn('live updates subscriber error', { err: err.message }));
  sub.on('message', (_channel: string, message: string) => write(`data: ${message}\n\n`));

  res.status(200).set({ 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache, no-transform', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
  res.flushHeaders();
  try {
    await sub.connect();
    await sub.subscribe(...channels);
  } catch (err) {
    ctx.log.warn('live updates unavailable', { err });
    write(`data: ${JSON.stringify({ type: 'live-unavailable' })}\n\n`);
  }
  write('retry: 2000\n\n');
  for (const e of opts.initial) write(`data: ${JSON.stringify(e)}\n\n`);
  // Tells the browser (and tests) that the subscription is in place: nothing published after this is missed.
  write(`data: ${JSON.stringify({ type: 'ready' })}\n\n`);
}
