// The agent console: log in, set a status, receive routed calls (screen pop over SSE, the Voice SDK
// for audio), accept / decline, then the call's controls (call-controls.js) and who is on the line
// (participants.js), wrap up.
'use strict';

(() => {
  const careline = window.careline;
  const { $, api, setCsrf, text, show, elapsed, whoAmI, languageName } = careline;
  const ui = {
    me: null,
    task: null, // the screen pop of the task offered or held
    accepted: null, // the task accepted here (or answered on the phone), so its audio is answered whenever it arrives
    events: null,
    waitTimer: null,
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

  function phoneStatus(msg, ok) {
    text('phone-status', msg);
    $('phone-status').classList.toggle('ok', ok);
  }

  // Careline's legs (the caller's conversation, a consultation, a callback) carry no custom
  // parameters: a leg is answered at once when this page has accepted a task and is still on it;
  // otherwise it rings until the agent clicks Accept.
  function onIncomingAudio(call) {
    if (ui.accepted) call.accept();
  }

  const phone = careline.createPhone({ api, onStatus: phoneStatus, onIncoming: onIncomingAudio });
  const currentTask = () => ui.task;
  const controls = careline.createCallControls({ currentTask, message, phone, myId: () => ui.me && ui.me.agentId });
  const parties = careline.createParticipants({ currentTask, message, onParties: (list) => controls.onParties(list) });

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

  /** Live events about this agent's own task; anything else (another task, supervisor traffic) is ignored. */
  const mine = (e) => ui.task && ui.task.taskId === e.taskId;

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
        // Answered on the phone (or a consultation that joined): the page is on this task now.
        ui.accepted = e.taskId;
        await showTask(e.taskId, 'connected');
        return;
      case 'accept':
        ui.accepted = e.taskId;
        phone.answer();
        inCall();
        return;
      case 'offer-cancelled':
        if (mine(e)) withdrawn(e.reason);
        return;
      case 'wrapup':
        await showWrapUp(e.taskId);
        return;
      default:
        if (mine(e)) onCallEvent(e);
    }
  }

  /** Events about the live call: hold, mute, consultation, who is on the line. */
  function onCallEvent(e) {
    switch (e.type) {
      case 'hold':
        controls.showHold(e.hold);
        return;
      case 'mute':
        controls.showMute(e.muted);
        return;
      case 'consult':
        controls.onConsult(e);
        return;
      case 'conversation':
        parties.load();
        return;
      case 'participant-failed':
        message(`${e.participantId} did not join (${e.reason}).`);
        parties.load();
        return;
      case 'transferred':
        message('Transfer completed: the caller is now yours.');
        parties.load();
        return;
      default:
    }
  }

  function withdrawn(reason) {
    clearTask();
    if (reason === 'ring-no-answer') message('Missed call: you were set to Break. Choose Available when ready.');
    else if (reason === 'consultation ended') message('The transfer to you was cancelled.');
    else message('The call was withdrawn.');
  }

  // ------------------------------------------------------------------ screen pop

  function showPop(pop, phase) {
    text('offer-title', pop.kind === 'callback' ? 'Callback request' : phase === 'offer' ? (pop.warmFrom ? 'Transfer offered' : 'Incoming call') : 'On a call');
    text('pop-patient', pop.patient ? `${pop.patient.name} (born ${pop.patient.birthDate})` : pop.verified ? 'Verified caller' : 'Not verified');
    text('pop-phone', pop.phone);
    text('pop-language', languageName(pop.language));
    text('pop-preferred', pop.patient ? languageName(pop.patient.preferredLanguage) : '');
    text('pop-reason', pop.reason);
    text('pop-queue', pop.queue);
    text('pop-path', (pop.ivrPath || []).join(' › '));
    text('pop-warm', pop.warmFrom);
    // The server says why details are missing (the database is down); the call can still be taken.
    if (pop.unavailable) message(pop.unavailable);
    showLanguageGap(pop);
    parties.offerInterpreter(pop);
  }

  // Healthcare: a patient whose language nobody available speaks needs the interpreter line, and
  // the agent should not have to hunt for it.
  function showLanguageGap(pop) {
    show('language-gap', pop.languageGap);
    if (!pop.languageGap) return;
    const line = pop.interpreter;
    text('language-gap-text', `No available agent speaks ${languageName(pop.callerLanguage)}.${line ? '' : ' No interpreter line is configured for it.'}`);
    show('pop-interpreter', Boolean(line));
    if (line) $('pop-interpreter').textContent = `Add ${line.displayName}`;
  }

  async function showTask(taskId, phase) {
    const pop = await api('GET', `/api/calls/${encodeURIComponent(taskId)}`);
    const fresh = !ui.task || ui.task.taskId !== taskId;
    ui.task = pop;
    showPop(pop, phase);
    clearInterval(ui.waitTimer);
    const tick = () => text('pop-wait', elapsed(pop.waitingSince));
    tick();
    ui.waitTimer = setInterval(tick, 1000);
    show('offer', true);
    show('wrapup', false);
    if (fresh) controls.reset();
    if (phase === 'offer') {
      show('offer-actions', true);
      show('call-actions', false);
    } else inCall();
  }

  function inCall() {
    show('offer-actions', false);
    show('call-actions', true);
    clearInterval(ui.waitTimer);
    parties.load();
  }

  function clearTask() {
    ui.task = null;
    ui.accepted = null;
    clearInterval(ui.waitTimer);
    show('offer', false);
    parties.clear();
  }

  $('accept').addEventListener('click', async () => {
    if (!ui.task) return;
    try {
      await api('POST', `/api/calls/${encodeURIComponent(ui.task.taskId)}/accept`);
      ui.accepted = ui.task.taskId;
      phone.answer();
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
      phone.reject();
      clearTask();
      message('Declined.');
    } catch (err) {
      message(`Could not decline: ${err.message}`);
    }
  });

  $('pop-interpreter').addEventListener('click', () => parties.addInterpreter());

  // ------------------------------------------------------------------ wrap-up

  async function showWrapUp(taskId) {
    if (!ui.task || ui.task.taskId !== taskId) await showTask(taskId, 'connected');
    // The call is over for this agent: no later leg is answered for it.
    ui.accepted = null;
    controls.reset();
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
    await phone.start();
  }

  whoAmI().then((me) => {
    if (me) return start(me);
    show('login-view', true);
  });
})();
