// The agent console's live-call controls: hold / resume and mute / unmute (immediate: the caller's
// and the agent's conference legs), hang up, transfer (an agent from the directory, a queue or a
// number; warm or cold) and, during a warm transfer's consultation, complete or cancel it.
'use strict';

window.careline.createCallControls = ({ currentTask, message, phone, myId }) => {
  const { $, api, el, show, text } = window.careline;
  const live = { held: false, muted: false, consult: null };

  const call = (suffix, body) => api('POST', `/api/calls/${encodeURIComponent(currentTask().taskId)}${suffix}`, body);

  /** Runs one API action; any refusal (403/409/400) is shown as the server said it. */
  async function act(what, fn) {
    if (!currentTask()) return;
    try {
      await fn();
    } catch (err) {
      message(`${what} failed: ${err.message}`);
    }
  }

  function showHold(held) {
    live.held = held;
    $('hold').textContent = held ? 'Resume' : 'Hold';
    $('hold').setAttribute('aria-pressed', String(held));
  }

  function showMute(muted) {
    live.muted = muted;
    $('mute').textContent = muted ? 'Unmute' : 'Mute';
    $('mute').setAttribute('aria-pressed', String(muted));
  }

  $('hold').addEventListener('click', () => act(live.held ? 'Resume' : 'Hold', () => call('/hold', { hold: !live.held })));
  $('mute').addEventListener('click', () => act(live.muted ? 'Unmute' : 'Mute', () => call('/mute', { muted: !live.muted })));
  $('hangup').addEventListener('click', () =>
    act('Hang up', async () => {
      await call('/hangup');
      phone.hangup();
    }),
  );

  // ---------------------------------------------------------------- transfer

  function option(value, label) {
    const o = el('option', label);
    o.value = value;
    return o;
  }

  /** Fills the agent and queue pickers from the directory (other agents only). */
  async function loadDirectory(myId) {
    try {
      const d = await api('GET', '/api/agents/directory');
      const others = d.agents.filter((a) => a.agentId !== myId);
      $('transfer-agent').replaceChildren(...others.map((a) => option(a.agentId, `${a.name} (${a.state})`)));
      $('transfer-queue').replaceChildren(...d.queues.map((q) => option(q.name, q.displayName)));
    } catch (err) {
      message(`Could not load transfer targets: ${err.message}`);
    }
  }

  function showTargetField() {
    const type = $('transfer-type').value;
    for (const t of ['agent', 'queue', 'number']) {
      show(`transfer-${t}`, t === type);
      $(`transfer-${t}`).required = t === type;
    }
  }

  function target() {
    const type = $('transfer-type').value;
    if (type === 'agent') return { type, agentId: $('transfer-agent').value };
    if (type === 'queue') return { type, queue: $('transfer-queue').value };
    return { type, number: $('transfer-number').value.trim() };
  }

  function targetLabel() {
    const select = $(`transfer-${$('transfer-type').value}`);
    return select.tagName === 'SELECT' ? select.selectedOptions[0]?.textContent || '' : select.value.trim();
  }

  $('transfer-type').addEventListener('change', showTargetField);
  $('transfer-box').addEventListener('toggle', () => {
    if ($('transfer-box').open) loadDirectory(myId());
  });
  $('transfer-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const mode = $('transfer-mode').value;
    const label = targetLabel();
    return act('Transfer', async () => {
      await call('/transfer', { to: target(), mode });
      $('transfer-box').open = false;
      if (mode === 'warm') showConsult('ringing', label);
      else message(`Transferred to ${label}.`);
    });
  });

  // ---------------------------------------------------------------- consultation (warm transfer)

  function showConsult(state, label) {
    live.consult = { state, label: label ?? (live.consult && live.consult.label) };
    show('consult', true);
    text('consult-status', state === 'connected' ? `Consulting ${live.consult.label}: the caller is on hold.` : `Ringing ${live.consult.label}… the caller is on hold.`);
    // Twilio must say the target joined before the caller can be handed over.
    $('transfer-complete').disabled = state !== 'connected';
  }

  function endConsult(reason) {
    live.consult = null;
    show('consult', false);
    if (reason) message(`Transfer not completed: ${reason}. You are back with the caller.`);
  }

  $('transfer-complete').addEventListener('click', () =>
    act('Complete transfer', async () => {
      await call('/transfer/complete');
      live.consult = null;
      show('consult', false);
      message('Transfer completed. Add a disposition and notes.');
    }),
  );
  $('transfer-cancel').addEventListener('click', () => act('Cancel transfer', () => call('/transfer/cancel')));

  /** A `consult` live event: the target joined, or the consultation ended (declined, no answer, cancelled…). */
  function onConsult(e) {
    if (e.state === 'connected') showConsult('connected');
    else endConsult(e.reason || 'ended');
  }

  /** Hold and mute as Twilio last reported them (the caller's and this agent's legs). */
  function onParties(parties) {
    const caller = parties.find((p) => p.role === 'caller');
    if (caller) showHold(caller.hold);
    const me = parties.find((p) => p.agentId === myId() && (p.role === 'agent' || p.role === 'consult'));
    if (me) showMute(me.muted);
  }

  function reset() {
    showHold(false);
    showMute(false);
    live.consult = null;
    show('consult', false);
    $('transfer-box').open = false;
  }

  showTargetField();
  return { showHold, showMute, onConsult, onParties, reset };
};
