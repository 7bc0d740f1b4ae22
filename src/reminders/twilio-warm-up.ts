import type { Context } from '../context';
import type { TwilioRest } from '../telephony/twilio-rest';

const warmed = new WeakMap<TwilioRest, Promise<void>>();

/**
 * Readies a Twilio client for paced dialing, once per client: its first request pays for work
 * done lazily (twilio-node loads the Api domain and the account's modules on first use, V8
 * compiles the request path, the HTTP connection is opened), tens to hundreds of ms. Done after the
 * pace slot, that made a worker's first `calls.create` reach Twilio late and the next one right
 * behind it, above the limit. A read (listing one call) does not count against Twilio's
 * calls-per-second limit. Never fails: a Twilio that does not answer is the dial's business.
 */
export function warmUpTwilio(ctx: Context): Promise<void> {
  let ready = warmed.get(ctx.twilio);
  if (!ready) {
    ready = ctx.twilio.calls.list({ limit: 1 }).then(
      () => undefined,
      () => undefined,
    );
    warmed.set(ctx.twilio, ready);
  }
  return ready;
}
