import { registerAction } from '../../flow/actions';
import type { VarValue } from '../../flow/session';

// Studio's make-http-request: a flow can fetch JSON from a URL its author trusts (flows are
// reviewed code). The answer lands in the variable named by `var`; no PHI is sent.
const TIMEOUT_MS = 3000;

registerAction(
  'http.request',
  async ({ session, args, log }) => {
    const url = String(args.url ?? '');
    if (!/^https?:\/\//.test(url)) return 'error';
    try {
      const res = await fetch(url, { method: args.method === 'POST' ? 'POST' : 'GET', signal: AbortSignal.timeout(TIMEOUT_MS) });
      if (!res.ok) return 'error';
      const body = (await res.json().catch(() => null)) as VarValue;
      session.vars[String(args.var ?? 'http')] = body;
      return 'ok';
    } catch (err) {
      log.warn('http.request failed', { err });
      return 'error';
    }
  },
  { results: ['ok', 'error'] },
);
