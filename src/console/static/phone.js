// The browser phone (Twilio Voice SDK Device), shared by the agent console and the supervisor view.
// The page decides which incoming calls to answer (`onIncoming`): careline's REST-created legs carry
// no custom parameters, so only the page's own state (an accepted task, a monitor request) can tell.
'use strict';

window.careline.createPhone = ({ api, onStatus, onIncoming }) => {
  const REGISTER_TIMEOUT_MS = 8000;
  const state = { device: null, call: null, tokenTimer: null, registerTimer: null };

  function track(call) {
    state.call = call;
    call.on('disconnect', () => {
      if (state.call === call) state.call = null;
    });
    call.on('cancel', () => {
      if (state.call === call) state.call = null;
    });
    onIncoming(call);
  }

  function createDevice(token) {
    const device = new window.Twilio.Device(token, { closeProtection: true, codecPreferences: ['opus', 'pcmu'] });
    device.on('registered', () => {
      clearTimeout(state.registerTimer);
      onStatus('Browser phone ready.', true);
    });
    device.on('error', (err) => onStatus(`Browser phone cannot reach Twilio: ${err.message || err}. Everything else still works.`, false));
    device.on('incoming', track);
    device.on('tokenWillExpire', () => start());
    // No word from Twilio in time: say so rather than leave the user guessing.
    state.registerTimer = setTimeout(() => {
      if (device.state !== 'registered') onStatus('Browser phone cannot reach Twilio (no answer). Everything else still works.', false);
    }, REGISTER_TIMEOUT_MS);
    return device;
  }

  /** Gets a token and registers (or refreshes the token of) the Device. */
  async function start() {
    let token;
    try {
      token = await api('GET', '/api/agents/me/token');
    } catch (err) {
      onStatus(`Browser phone unavailable: ${err.message}. Calls are still offered and answered from this page; audio needs Twilio.`, false);
      return;
    }
    if (!window.Twilio || !window.Twilio.Device) {
      onStatus('Browser phone unavailable: the Twilio Voice SDK did not load.', false);
      return;
    }
    try {
      if (!state.device) {
        state.device = createDevice(token.token);
        onStatus('Browser phone connecting to Twilio…', false);
        await state.device.register();
      } else state.device.updateToken(token.token);
      // Refresh well before the token expires (TTL is at most one hour).
      clearTimeout(state.tokenTimer);
      state.tokenTimer = setTimeout(start, Math.max(60, token.ttlSec * 0.8) * 1000);
    } catch (err) {
      onStatus(`Browser phone cannot reach Twilio: ${err.message || err}. Everything else still works.`, false);
    }
  }

  /** Answers the call ringing now, if any. */
  function answer() {
    if (state.call && state.call.status() === 'pending') state.call.accept();
  }

  function reject() {
    if (state.call && state.call.status() === 'pending') state.call.reject();
  }

  function hangup() {
    if (state.call) state.call.disconnect();
  }

  return { start, answer, reject, hangup };
};
