import type { FlowInput } from '../input';
import type { NodeKind, NodeOf } from '../schema';
import type { Outcome, Turn } from '../turn';

/**
 * One node kind's behaviour: what happens when the call reaches it, and (for nodes that wait on
 * Twilio: menus, collects, recordings, dials) what the caller's answer does.
 */
export interface NodeHandler<K extends NodeKind> {
  enter(t: Turn, node: NodeOf<K>): Promise<Outcome>;
  input?(t: Turn, node: NodeOf<K>, input: FlowInput): Promise<Outcome>;
}
