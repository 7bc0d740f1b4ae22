import type { Context } from '../../src/context';
import { getPresence } from '../../src/routing/presence';
import type { SimCall, TwilioSim } from '../../src/sim';

/**
 * The browser phone (`client:agent_<id>`) that is on the line with this caller: the connected
 * `agent` participant of the caller's conference, by the local Twilio's own account.
 */
export function agentOnCall(sim: TwilioSim, caller: SimCall): string | undefined {
  const name = caller.conference;
  const conf = name ? sim.conference(name) : undefined;
  const agent = conf?.participants.find((p) => p.settings.label === 'agent' && p.status === 'connected');
  return agent?.call.to;
}

/** The task offered to (or held by) an agent now: what the console's Accept button names. */
export async function heldTaskId(ctx: Context, agentId: string): Promise<string> {
  const id = (await getPresence(ctx, agentId)).taskId;
  if (!id) throw new Error(`agent ${agentId} holds no task`);
  return id;
}
