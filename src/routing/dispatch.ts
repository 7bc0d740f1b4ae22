import type { Context } from '../context';

/**
 * Assigns waiting tasks to available agents (see assign.ts). Called when a call enqueues, when an
 * agent becomes available, and periodically for escalation.
 */
export async function dispatch(_ctx: Context): Promise<void> {
  // filled in by the assignment step
}
