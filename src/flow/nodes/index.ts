import type { FlowNode, NodeKind } from '../schema';
import { actionHandler } from './action';
import { branchHandler } from './branch';
import { collectHandler } from './collect';
import { dialHandler } from './dial';
import { hangupHandler } from './hangup';
import { menuHandler } from './menu';
import { sayHandler, setHandler } from './say';
import { callHandler, returnHandler } from './subflow';
import { transferHandler } from './transfer';
import { voicemailHandler } from './voicemail';
import type { NodeHandler } from './types';

/**
 * The handler of a node's kind: one small handler per kind, chosen here and nowhere else.
 * @param node - a node the loader validated
 */
export function handlerFor(node: FlowNode): NodeHandler<NodeKind> {
  const kind = node.kind;
  switch (kind) {
    case 'say':
      return sayHandler as NodeHandler<NodeKind>;
    case 'set':
      return setHandler as NodeHandler<NodeKind>;
    case 'menu':
      return menuHandler as NodeHandler<NodeKind>;
    case 'collect':
      return collectHandler as NodeHandler<NodeKind>;
    case 'action':
      return actionHandler as NodeHandler<NodeKind>;
    case 'branch':
      return branchHandler as NodeHandler<NodeKind>;
    case 'transfer':
      return transferHandler as NodeHandler<NodeKind>;
    case 'dial':
      return dialHandler as NodeHandler<NodeKind>;
    case 'voicemail':
      return voicemailHandler as NodeHandler<NodeKind>;
    case 'call':
      return callHandler as NodeHandler<NodeKind>;
    case 'return':
      return returnHandler as NodeHandler<NodeKind>;
    case 'hangup':
      return hangupHandler as NodeHandler<NodeKind>;
    default: {
      const never: never = kind;
      throw new Error(`unknown node kind ${String(never)}`);
    }
  }
}
