import type { LiveEvent } from '../agents/live';
import type { Context } from '../context';

/** The offer event of the task an agent is reserved for, if any (sent first on a new event stream). */
export async function currentOffer(_ctx: Context, _agentId: string): Promise<LiveEvent | null> {
  return null;
}
