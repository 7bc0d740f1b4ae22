/**
 * The flow engine's public surface. Flows are data (flows/*.yaml); this runs them over Twilio's
 * webhooks with the call's state in Redis.
 */
export { startFlow, continueFlow, type StartFlowOptions } from './engine';
export { registerAction, getAction, type ActionFn, type ActionInput, type ActionSpec } from './actions';
export { flowSet, loadFlowSet, checkFlows, FlowValidationError, DEFAULT_FLOWS_DIR, type FlowSet } from './loader';
export { flowStartUrl } from './urls';
export type { CallSession, Vars, VarValue } from './session';
export type { FlowInput } from './input';
export type { Language } from './schema';
