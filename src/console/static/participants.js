// The agent console's "On the line" panel: who is in the call's conference (GET participants, by
// Twilio's own account), refreshed on `conversation` events; add a number, the interpreter line of
// the caller's language, the on-call nurse or pharmacist; remove an outside party.
'use strict';

window.careline.createParticipants = ({ currentTask, message, onParties }) => {
  const { $, api, el, button, show, languageName } = window.careline;
  const REMOVABLE = new Set(['party', 'interpreter']);
  const ROLE_NAMES = { caller: 'Caller', agent: 'Agent', consult: 'Transfer target', party: 'Outside party', interpreter: 'Interpreter', supervisor: 'Supervisor' };

  const path = (suffix = '') => `/api/calls/${encodeURIComponent(currentTask().taskId)}/participants${suffix}`;

  function describe(p) {
    const who = ROLE_NAMES[p.role] || p.role;
    const detail = p.role === 'interpreter' ? languageName(p.detail) : p.detail;
    const flags = [p.joined ? 'on the line' : 'ringing…', p.hold ? 'on hold' : '', p.muted ? 'muted' : ''].filter(Boolean).join(', ');
    return `${who}${detail ? ` — ${detail}` : ''} (${flags})`;
  }

  function row(p) {
    const li = el('li', null, { 'data-participant': p.participantId, 'data-role': p.role });
    li.appendChild(el('span', describe(p)));
    if (REMOVABLE.has(p.role)) li.appendChild(button('Remove', () => remove(p.participantId)));
    return li;
  }

  /** Reloads the list; quiet when the call is not (yet) this agent's, e.g. during a consultation offered to them. */
  async function load() {
    if (!currentTask()) return;
    try {
      const { participants } = await api('GET', path());
      $('participants').replaceChildren(...participants.map(row));
      onParties(participants);
    } catch (err) {
      if (err.status === 403 || err.status === 409) {
        $('participants').replaceChildren(el('li', 'Shown once the call is yours.', { class: 'muted' }));
        return;
      }
      message(`Could not load who is on the line: ${err.message}`);
    }
  }

  async function add(body, what) {
    if (!currentTask()) return;
    try {
      await api('POST', path(), body);
      message(`Calling ${what}…`);
      await load();
    } catch (err) {
      message(`Could not add ${what}: ${err.message}`);
    }
  }

  async function remove(participantId) {
    try {
      await api('DELETE', path(`/${encodeURIComponent(participantId)}`));
      await load();
    } catch (err) {
      message(`Could not remove: ${err.message}`);
    }
  }

  /** The one-click interpreter button, shown when the screen pop offers a line for the caller's language. */
  function offerInterpreter(pop) {
    const line = pop && pop.interpreter;
    show('add-interpreter', Boolean(line));
    if (line) $('add-interpreter').textContent = `Add ${line.displayName}`;
  }

  function addInterpreter() {
    const line = currentTask() && currentTask().interpreter;
    if (line) return add({ interpreter: line.language }, line.displayName);
  }

  $('add-interpreter').addEventListener('click', addInterpreter);
  $('add-nurse').addEventListener('click', () => add({ onCall: 'nurse' }, 'the on-call nurse'));
  $('add-pharmacist').addEventListener('click', () => add({ onCall: 'pharmacist' }, 'the on-call pharmacist'));
  $('add-number-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const number = $('add-number').value.trim();
    await add({ number }, number);
  });

  function clear() {
    $('participants').replaceChildren();
  }

  return { load, clear, offerInterpreter, addInterpreter };
};
