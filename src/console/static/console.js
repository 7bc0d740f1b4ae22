// The agent console: log in, set a status, receive routed calls (screen pop over SSE, the Voice SDK
// for audio), accept / decline, mute / hold / transfer / hang up, wrap up.
'use strict';

(() => {
  const { $, api, setCsrf, text, show, elapsed, whoAmI } = window.careline;
  const REGISTER_TIMEOUT_MS = 8000;
  const ui = {
    me: null,
    device: null,
    sdkCall: null, // the Voice SDK call ringing or connected, if the browser phone works
    task: null, // the screen pop of the task offered or held
    held: false,
    accepted: null, // the task accepted here, so its audio is answered whenever it arrives
    events: null,
    waitTimer: null,
    tokenTimer: null,
    registerTimer: null,
  };

  function message(msg) {
    text('message', msg);
  }

  // ------------------------------------------------------------------ login

  $('login-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const me = await api('POST', '/api/auth/login', { email: $('email').value, password: $('password').value });
      setCsrf(me.csrfToken);
      await start(me);
    } catch (err) {
      message(err.status === 429 ? 'Too many failed attempts. Wait a few minutes.' : `Login failed: ${err.message}`);
    }
  });

  $('logout').addEventListener('click', async () => {
    await api('POST', '/api/auth/logout').catch(() => undefined);
    location.reload();
  });

  // ------------------------------------------------------------------ status

  $('status').addEventListener('change', async () => {
    try {
      await api('PUT', '/api/agents/me/status', { status: $('status').value });
    } catch (err) {
      message(`Could not change status: ${err.message}`);
    }
  });

  function showState(state) {
    text('state', state);
    $('state').dataset.state = state;
    if (['available', 'break', 'offline'].includes(state)) $('status').value = state;
    $('status').disabled = state === 'reserved' || state === 'busy';
  }

  // ------------------------------------------------------------------ browser phone

  async function setupPhone() {
    let token;
    try {
      token = await api('GET', '/api/agents/me/token');
    } catch (err) {
      phoneStatus(`Browser phone unavailable: ${err.message}. Calls are still offered and answered from this page; audio needs Twilio.`, false);
      return;
    }
    if (!window.Twilio || !window.Twilio.Device) {
      phoneStatus('Browser phone unavailable: the Twilio Voice SDK did not load.', false);
      return;
    }
    try {
      if (!ui.device) {
        ui.device = new window.Twilio.Device(token.token, { closeProtection: true, codecPreferences: ['opus', 'pcmu'] });
        ui.device.on('registered', () => {
          clearTimeout(ui.registerTimer);
          phoneStatus('Browser phone ready.', true);
        });
        phoneStatus('Browser phone connecting to Twilio…', false);
        // No word from Twilio in time: say so rather than leave the agent guessing.
        ui.registerTimer = setTimeout(() => {
          if (ui.device && ui.device.state !== 'registered') phoneStatus('Browser phone cannot reach Twilio (no answer). Calls are still offered and answered from this page.', false);
        }, REGISTER_TIMEOUT_MS);
        ui.device.on('error', (err) => phoneStatus(`Browser phone cannot reach Twilio: ${err.message || err}. Everything else still works.`, false));
        ui.device.on('incoming', onIncomingAudio);
        ui.device.on('tokenWillExpire', () => setupPhone());
        await ui.device.register();
      } else {
        ui.device.updateToken(token.token);
      }
      // Refresh well before the token expires (TTL is at most one hour).
      clearTimeout(ui.tokenTimer);
      ui.tokenTimer = setTimeout(setupPhone, Math.max(60, token.ttlSec * 0.8) * 1000);
    } catch (err) {
      phoneStatus(`Browser phone cannot reach Twilio: ${err.message || err}. Everything else still works.`, false);
    }
  }

  function phoneStatus(msg, ok) {
    text('phone-status', msg);
    $('phone-status').classList.toggle('ok', ok);
  }

  function onIncomingAudio(call) {
    const params = call.customParameters || new Map();
    ui.sdkCall = call;
    call.on('disconnect', () => {
      if (ui.sdkCall === call) ui.sdkCall = null;
    });
    // A callback the agent started, a caller coming back from hold, or a call the agent already
    // accepted on this page before the audio arrived: answer at once.
    if (params.get('callback') === '1' || params.get('resume') === '1' || (ui.accepted && params.get('taskId') === ui.accepted)) call.accept();
  }

  // ------------------------------------------------------------------ live updates

  function openEvents() {
    if (ui.events) ui.events.close();
    const es = new EventSource('/api/agents/me/events');
    ui.events = es;
    es.onopen = () => text('live', 'live');
    es.onerror = () => text('live', 'reconnecting live updates…');
    es.onmessage = (m) => {
      let e;
      try {
        e = JSON.parse(m.data);
      } catch {
        return;
      }
      handleEvent(e).catch((err) => message(`Update failed: ${err.message}`));
    };
  }

  async function handleEvent(e) {
    switch (e.type) {
      case 'ready':
        text('live', 'live');
        return;
      case 'state':
        showState(e.state);
        return;
      case 'offer':
        await showTask(e.taskId, 'offer');
        return;
      case 'connected':
        await showTask(e.taskId, 'connected');
        return;
      case 'accept':
        if (ui.sdkCall && ui.sdkCall.status() === 'pending') ui.sdkCall.accept();
        inCall();
        return;
      case 'offer-cancelled':
        if (ui.task && ui.task.taskId === e.taskId) {
          clearTask();
          message(e.reason === 'ring-no-answer' ? 'Missed call: you were set to Break. Choose Available when ready.' : 'The call was withdrawn.');
        }
        return;
      case 'wrapup':
        await showWrapUp(e.taskId);
        return;
      case 'hold':
        ui.held = e.hold;
        $('hold').textContent = e.hold ? 'Resume' : 'Hold';
        return;
      default:
    }
  }

  // ------------------------------------------------------------------ screen pop

  async function showTask(taskId, phase) {
    const pop = await api('GET', `/api/calls/${encodeURIComponent(taskId)}`);
    ui.task = pop;
    text('offer-title', pop.kind === 'callback' ? 'Callback request' : phase === 'offer' ? 'Incoming call' : 'On a call');
    text('pop-patient', pop.patient ? `${pop.patient.name} (born ${pop.patient.birthDate})` : pop.verified ? 'Verified caller' : 'Not verified');
    text('pop-phone', pop.phone);
    text('pop-language', pop.language === 'es' ? 'Spanish (es)' : pop.language === 'en' ? 'English (en)' : pop.language);
    text('pop-reason', pop.reason);
    text('pop-queue', pop.queue);
    text('pop-path', (pop.ivrPath || []).join(' › '));
    text('pop-warm', pop.warmFrom);
    // The server says why details are missing (the database is down); the call can still be taken.
    if (pop.unavailable) message(pop.unavailable);
    clearInterval(ui.waitTimer);
    const tick = () => text('pop-wait', elapsed(pop.waitingSince));
    tick();
    ui.waitTimer = setInterval(tick, 1000);
    show('offer', true);
    show('wrapup', false);
    if (phase === 'offer') {
      show('offer-actions', true);
      show('call-actions', false);
    } else inCall();
  }

  function inCall() {
    show('offer-actions', false);
    show('call-actions', true);
    clearInterval(ui.waitTimer);
  }

  function clearTask() {
    ui.task = null;
    clearInterval(ui.waitTimer);
    show('offer', false);
  }

  $('accept').addEventListener('click', async () => {
    if (!ui.task) return;
    try {
      await api('POST', `/api/calls/${encodeURIComponent(ui.task.taskId)}/accept`);
      ui.accepted = ui.task.taskId;
      if (ui.sdkCall && ui.sdkCall.status() === 'pending') ui.sdkCall.accept();
      inCall();
      message('Connected.');
    } catch (err) {
      message(`Could not accept: ${err.message}`);
    }
  });

  $('decline').addEventListener('click', async () => {
    if (!ui.task) return;
    try {
      await api('POST', `/api/calls/${encodeURIComponent(ui.task.taskId)}/decline`);
      if (ui.sdkCall) ui.sdkCall.reject();
      clearTask();
      message('Declined.');
    } catch (err) {
      message(`Could not decline: ${err.message}`);
    }
  });

  $('mute').addEventListener('click', () => {
    if (!ui.sdkCall) return message('Mute needs the browser phone, which is not connected.');
    ui.sdkCall.mute(!ui.sdkCall.isMuted());
    $('mute').textContent = ui.sdkCall.isMuted() ? 'Unmute' : 'Mute';
  });

  $('hold').addEventListener('click', async () => {
    if (!ui.task) return;
    try {
      await api('POST', `/api/calls/${encodeURIComponent(ui.task.taskId)}/hold`, { hold: !ui.held });
    } catch (err) {
      message(`Hold failed: ${err.message}`);
    }
  });

  $('hangup').addEventListener('click', async () => {
    if (!ui.task) return;
    try {
      await api('POST', `/api/calls/${encodeURIComponent(ui.task.taskId)}/hangup`);
      if (ui.sdkCall) ui.sdkCall.disconnect();
    } catch (err) {
      message(`Hang up failed: ${err.message}`);
    }
  });

  $('transfer-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!ui.task) return;
    const type = $('transfer-type').value;
    const target = $('transfer-target').value.trim();
    const to = type === 'queue' ? { type, queue: target } : type === 'agent' ? { type, agentId: target } : { type, number: target };
    try {
      await api('POST', `/api/calls/${encodeURIComponent(ui.task.taskId)}/transfer`, { to, mode: $('transfer-mode').value });
      message('Transferred.');
    } catch (err) {
      message(`Transfer failed: ${err.message}`);
    }
  });

  // ------------------------------------------------------------------ wrap-up

  async function showWrapUp(taskId) {
    if (!ui.task || ui.task.taskId !== taskId) await showTask(taskId, 'connected');
    show('call-actions', false);
    show('wrapup', true);
    $('notes').value = ui.task.notes || '';
    if (ui.task.disposition) $('disposition').value = ui.task.disposition;
    message('Call ended. Add a disposition and notes.');
  }

  $('wrapup-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!ui.task) return;
    try {
      const r = await api('PUT', `/api/calls/${encodeURIComponent(ui.task.taskId)}/wrapup`, { disposition: $('disposition').value, notes: $('notes').value });
      if (r.finished) {
        show('wrapup', false);
        clearTask();
        $('notes').value = '';
        message(r.available ? 'Saved. You are available again.' : 'Saved. A supervisor has changed your status.');
      } else message('Notes saved.');
    } catch (err) {
      message(`Could not save: ${err.message}`);
    }
  });

  // ------------------------------------------------------------------ start

  async function start(me) {
    ui.me = me;
    text('me-name', me.name);
    show('sup-link', me.roles.includes('supervisor') || me.roles.includes('admin'));
    show('who', true);
    show('login-view', false);
    show('agent-view', true);
    const { dispositions } = await api('GET', '/api/calls/dispositions');
    const select = $('disposition');
    select.replaceChildren(
      ...dispositions.map((d) => {
        const o = document.createElement('option');
        o.value = d;
        o.textContent = d.replace(/_/g, ' ');
        return o;
      }),
    );
    const agent = await api('GET', '/api/agents/me');
    showState(agent.state);
    openEvents();
    await setupPhone();
  }

  whoAmI().then((me) => {
    if (me) return start(me);
    show('login-view', true);
  });
})();
