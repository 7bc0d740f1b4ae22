// The supervisor view's live conversations: queue, agent, language, talk and hold time, who is on
// the line, who monitors; Listen / Whisper / Barge / Leave through the monitor API. The
// supervisor's browser phone answers the monitoring leg by itself: careline's REST-created leg
// carries no parameters, so the page answers while it has a monitor request pending.
'use strict';

window.careline.createMonitor = ({ me, message, refresh }) => {
  const { api, el, button, seconds, languageName } = window.careline;
  const MODES = [
    ['listen', 'Listen'],
    ['whisper', 'Whisper'],
    ['barge', 'Barge'],
  ];
  const ROLE_NAMES = { caller: 'caller', agent: 'agent', consult: 'transfer target', party: 'outside party', interpreter: 'interpreter', supervisor: 'supervisor' };
  let pending = null; // the monitor request whose leg is expected to ring

  function phoneStatus(msg, ok) {
    const p = document.getElementById('phone-status');
    p.textContent = msg;
    p.classList.toggle('ok', ok);
  }

  const phone = window.careline.createPhone({
    api,
    onStatus: phoneStatus,
    onIncoming: (call) => {
      if (pending) call.accept();
    },
  });

  const path = (c) => `/api/supervisor/calls/${encodeURIComponent(c.callSid)}/monitor`;

  async function monitor(c, mode, label) {
    const joining = !c.monitor || c.monitor.supervisorId !== me.agentId;
    if (joining) pending = { callSid: c.callSid, mode };
    try {
      await api('POST', path(c), { mode });
      message(`${label}: ${joining ? 'your browser phone joins the call.' : 'mode changed.'}`);
    } catch (err) {
      pending = null;
      message(`${label} failed: ${err.message}`);
    }
    await refresh();
  }

  async function leave(c) {
    try {
      await api('DELETE', path(c));
      phone.hangup();
      message('You left the call.');
    } catch (err) {
      message(`Leave failed: ${err.message}`);
    }
    pending = null;
    await refresh();
  }

  /** The `monitor` live event: the leg is on its way to this browser; answer it when it rings. */
  function onMonitorEvent() {
    phone.answer();
    pending = null;
  }

  function cell(tr, value) {
    const td = el('td', value);
    tr.appendChild(td);
    return td;
  }

  function partyText(p, names) {
    const who = p.agentId ? `${ROLE_NAMES[p.role] || p.role} ${names.get(p.agentId) || p.agentId}` : ROLE_NAMES[p.role] || p.role;
    return `${who}${p.joined ? '' : ' (ringing)'}${p.hold ? ' (on hold)' : ''}${p.muted ? ' (muted)' : ''}`;
  }

  function actions(c) {
    const td = el('td');
    const mineNow = c.monitor && c.monitor.supervisorId === me.agentId;
    for (const [mode, label] of MODES) {
      const b = button(label, () => monitor(c, mode, label), { 'data-mode': mode, 'aria-pressed': String(Boolean(mineNow && c.monitor.mode === mode)) });
      td.appendChild(b);
    }
    const l = button('Leave', () => leave(c), { 'data-mode': 'leave' });
    l.disabled = !mineNow;
    td.appendChild(l);
    return td;
  }

  function row(c, names) {
    const tr = el('tr', null, { 'data-call': c.callSid, 'data-task': c.taskId });
    cell(tr, c.queue);
    cell(tr, c.agentId ? names.get(c.agentId) || c.agentId : '—');
    cell(tr, languageName(c.language));
    cell(tr, seconds(c.talkSec));
    cell(tr, `${seconds(c.holdSec)}${c.onHold ? ' (on hold now)' : ''}${c.consult ? ' (consulting)' : ''}`);
    cell(tr, c.participants.map((p) => partyText(p, names)).join(', '));
    cell(tr, c.monitor ? `${names.get(c.monitor.supervisorId) || c.monitor.supervisorId} (${c.monitor.mode})` : '—');
    tr.appendChild(actions(c));
    return tr;
  }

  function emptyRow() {
    const tr = el('tr');
    tr.appendChild(el('td', 'No live conversations.', { colspan: '8', class: 'muted' }));
    return tr;
  }

  function render(conversations, agents) {
    // A supervisor who takes no calls has no presence row: their own name comes from the login.
    const names = new Map([[me.agentId, me.name], ...agents.map((a) => [a.agentId, a.name])]);
    const rows = conversations.map((c) => row(c, names));
    document.getElementById('conversations').replaceChildren(...(rows.length ? rows : [emptyRow()]));
  }

  return { start: () => phone.start(), render, onMonitorEvent };
};
