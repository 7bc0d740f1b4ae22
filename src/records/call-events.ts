import type { Context } from '../context';
import { writeDurably } from './durable-write';
import { WRAP_UP_END, type CallEventInput, type CallRecordPatch } from './record-store';

export type { CallEventInput, CallRecordPatch } from './record-store';

/**
 * Appends events to a call's record (creating a bare record if Twilio's first word has not arrived
 * yet), all in one write. Writing the same key twice keeps one event. Never fails because
 * PostgreSQL is down: the write is then kept and written later (see durable-write.ts).
 * @param callSid - the call
 * @param events - the events; `at` defaults to now
 */
export async function appendCallEvents(ctx: Context, callSid: string, events: CallEventInput[]): Promise<void> {
  await recordCallUpdate(ctx, callSid, {}, events);
}

/**
 * Sets fields on a call's record and appends events to it in one write (what one step of a call
 * found out). Idempotent and never fails because PostgreSQL is down (see durable-write.ts).
 * @param patch - fields to set; pass times explicitly
 * @param events - events to append; `at` defaults to now
 */
export async function recordCallUpdate(ctx: Context, callSid: string, patch: CallRecordPatch, events: CallEventInput[]): Promise<void> {
  if (!events.length && !Object.keys(patch).length) return;
  const now = ctx.clock.now();
  await writeDurably(ctx, { kind: 'call', callSid, patch, events: events.map((e) => ({ ...e, at: e.at ?? now })), at: now });
}

/** {@link appendCallEvents} for one event. */
export async function appendCallEvent(ctx: Context, callSid: string, e: CallEventInput): Promise<void> {
  await appendCallEvents(ctx, callSid, [e]);
}

/**
 * Sets fields on a call's record (creating a bare record if needed), then refreshes the derived
 * figures (wait, handle time, outcome) if the call has ended. Idempotent: the same patch twice
 * leaves the same row. Never fails because PostgreSQL is down (see durable-write.ts).
 * @param callSid - the call
 * @param patch - the fields to set; pass times explicitly (e.g. `queueEnteredAt: ctx.clock.now()`)
 */
export async function updateCallRecord(ctx: Context, callSid: string, patch: CallRecordPatch): Promise<void> {
  await recordCallUpdate(ctx, callSid, patch, []);
}

/**
 * Marks the end of the agent's after-call work (wrap-up) on a call: handle time becomes talk plus
 * wrap-up. Call once when the agent leaves wrap-up; a repeat keeps the first.
 * @param callSid - the customer's call
 * @param agentId - the agent who wrapped up
 * @param at - when wrap-up ended (default now)
 */
export async function recordWrapUpEnd(ctx: Context, callSid: string, agentId: string, at: Date = ctx.clock.now()): Promise<void> {
  await appendCallEvent(ctx, callSid, { key: `${WRAP_UP_END}:${agentId}`, type: 'agent', name: WRAP_UP_END, detail: { agentId }, at });
}
