// The supervisor view: queues (waiting calls, longest wait), live conversations (monitor them:
// supervisor-monitor.js) and agents by state, live; change an agent's state. Refreshed on every
// live event and every few seconds.
'use strict';

(() => {
  const { $, api, text, elapsed, whoAmI } = window.careline;
  let monitor = null;

  function cell(row, value) {
    const td = document.createElement('td');
    td.textContent = value;
    row.appendChild(td);
    return td;
  }

  async function refresh() {
    let o;
    try {
      o = await api('GET', '/api/supervisor/overview');
    } catch (err) {
      text('message', err.status === 401 ? 'Log in on the agent console first.' : `Cannot load: ${err.message}`);
      return;
    }
    text('revision', o.revision);
    if (monitor) monitor.render(o.conversations || [], o.agents);
    $('queues').replaceChildren(
      ...o.queues.map((q) => {
        const tr = document.createElement('tr');
        tr.dataset.queue = q.name;
        cell(tr, q.displayName);
        cell(tr, String(q.waiting));
        cell(tr, String(q.callbacks));
        cell(tr, String(q.ringing));
        cell(tr, q.waiting + q.callbacks + q.ringing ? `${q.longestWaitSec} s` : '—');
        return tr;
      }),
    );
    const order = ['busy', 'reserved', 'wrap-up', 'available', 'break', 'offline'];
    const agents = o.agents.slice().sort((a, b) => order.indexOf(a.state) - order.indexOf(b.state));
    $('agents').replaceChildren(
      ...agents.map((a) => {
        const tr = document.createElement('tr');
        tr.dataset.agent = a.agentId;
        cell(tr, a.name);
        cell(tr, a.state).dataset.state = a.state;
        cell(tr, elapsed(a.since));
        const td = document.createElement('td');
        const select = document.createElement('select');
        for (const s of ['available', 'break', 'offline']) {
          const opt = document.createElement('option');
          opt.value = s;
          opt.textContent = s;
          select.appendChild(opt);
        }
        select.value = ['available', 'break', 'offline'].includes(a.state) ? a.state : 'break';
        const button = document.createElement('button');
        button.type = 'button';
        button.textContent = 'Set';
        button.addEventListener('click', async () => {
          try {
            await api('PUT', `/api/supervisor/agents/${encodeURIComponent(a.agentId)}/status`, { status: select.value });
            await refresh();
          } catch (err) {
            text('message', `Could not change ${a.name}: ${err.message}`);
          }
        });
        td.append(select, button);
        tr.appendChild(td);
        return tr;
      }),
    );
  }

  whoAmI().then((me) => {
    if (!me) {
      text('message', 'Log in on the agent console first.');
      return;
    }
    monitor = window.careline.createMonitor({ me, message: (msg) => text('message', msg), refresh });
    refresh();
    const es = new EventSource('/api/agents/me/events');
    es.onmessage = (m) => {
      let e = {};
      try {
        e = JSON.parse(m.data);
      } catch {
        // a heartbeat or a partial message: just refresh
      }
      if (e.type === 'monitor') monitor.onMonitorEvent();
      refresh();
    };
    setInterval(refresh, 5000);
    monitor.start();
  });
})();
