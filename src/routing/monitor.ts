import type { Context } from '../context';
import { publishAgentEvent } from '../agents/live';
import { appendCallEvent } from '../records/call-events';
import { addStaffLeg, participantOf, removeParticipant } from './conference';
import { getConversation, getParty, setConversation, type Monitor } from './conversation';
import { TaskConflict } from './handling';
import { getTask } from './task-store';

// A supervisor on a live conversation, through their own browser phone joining its conference:
// listen (muted), whisper (coaching the agent's leg: only the agent hears them), barge (unmuted,
// everyone hears everyone). The same request again switches the mode on the leg already there.

export type MonitorMode = Monitor['mode'];

function legFlags(mode: MonitorMode, agentLeg: string) {
  if (mode === 'listen') return { muted: true, coaching: false };
  if (mode === 'whisper') return { muted: false, coaching: true, callSidToCoach: agentLeg };
  return { muted: false, coaching: false };
}

/**
 * Starts monitoring a conversation, or switches mode.
 * @returns the mode before (null when the supervisor was not on the call)
 */
export async function monitorCall(ctx: Context, conference: string, supervisorId: string, mode: MonitorMode): Promise<MonitorMode | null> {
  const conv = await getConversation(ctx, conference);
  if (!conv?.agentLeg || !(await getParty(ctx, conference, conv.agentLeg))?.joined) throw new TaskConflict('no agent is on this call');
  if (conv.agentId === supervisorId) throw new TaskConflict('you are the agent on this call');
  const current = conv.monitor;
  if (current && current.supervisorId !== supervisorId) throw new TaskConflict('another supervisor is monitoring this call');
  const flags = legFlags(mode, conv.agentLeg);
  if (current?.leg) {
    await (await participantOf(ctx, conv, current.leg)).update(flags);
  } else if (!current) {
    const task = await getTask(ctx, conv.taskId);
    if (!task) throw new TaskConflict('the call is over');
    const leg = await addStaffLeg(ctx, { ...task, conference }, supervisorId, 'supervisor', 0, flags);
    // The supervisor's browser phone answers this leg by itself.
    await publishAgentEvent(ctx, supervisorId, { type: 'monitor', conference, taskId: conv.taskId, mode });
    await setConversation(ctx, conference, { monitor: { supervisorId, mode, leg, since: ctx.clock.now().getTime() } });
  }
  if (current) await setConversation(ctx, conference, { monitor: { ...current, mode } });
  await appendCallEvent(ctx, conv.callerSid, { key: `monitor:${supervisorId}:${ctx.clock.now().getTime()}`, type: 'supervisor', name: 'monitor', detail: { supervisorId, mode, from: current?.mode ?? null } });
  return current?.mode ?? null;
}

/**
 * The supervisor leaves the conversation.
 * @returns the mode they left in and how long they were on (seconds), or null when they were not on it
 */
export async function stopMonitoring(ctx: Context, conference: string, supervisorId: string): Promise<{ mode: MonitorMode; seconds: number } | null> {
  const conv = await getConversation(ctx, conference);
  const m = conv?.monitor;
  if (!conv || !m || m.supervisorId !== supervisorId) return null;
  await setConversation(ctx, conference, { monitor: null });
  if (m.leg) await removeParticipant(ctx, conv, m.leg);
  const seconds = Math.round((ctx.clock.now().getTime() - m.since) / 1000);
  await appendCallEvent(ctx, conv.callerSid, { key: `monitor-end:${supervisorId}:${m.since}`, type: 'supervisor', name: 'monitor_end', detail: { supervisorId, mode: m.mode, seconds } });
  return { mode: m.mode, seconds };
}
