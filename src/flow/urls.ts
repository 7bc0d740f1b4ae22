import type { Config } from '../config';
import { absoluteUrl } from '../telephony/twiml';

/**
 * The URL a REST `calls.create` gives as `Url` to run a flow on an outbound call, e.g.
 * `flowStartUrl(config, 'reminders/refill', { lang: 'es', reminder: id })`. Every other query
 * parameter becomes a variable of the call.
 * @param config - PUBLIC_BASE_URL
 * @param flow - the flow's name
 * @param params - `lang` (en, es) and variables
 */
export function flowStartUrl(config: Config, flow: string, params: Record<string, string> = {}): string {
  const q = new URLSearchParams({ flow, ...params });
  return absoluteUrl(config, `/webhooks/flow/start?${q.toString()}`);
}
