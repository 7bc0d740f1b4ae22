// careline supervisor reports page: reads /api/reports with the supervisor's session and draws
// the figures with plain SVG. No framework, no CDN. Figure definitions: README, "Report figures".
'use strict';

(function () {
  const SVG = 'http://www.w3.org/2000/svg';
  const $ = (id) => document.getElementById(id);
  const statusEl = $('status');

  function params() {
    const u = new URL(window.location.href);
    const p = new URLSearchParams();
    for (const k of ['from', 'to', 'tz', 'threshold']) {
      const v = u.searchParams.get(k);
      if (v) p.set(k, v);
    }
    return p;
  }

  function fmtPct(v) {
    return v === null || v === undefined ? '–' : `${v.toFixed(1)}%`;
  }

  function fmtNum(v) {
    return v === null || v === undefined ? '–' : v.toFixed(1);
  }

  function fmtSec(v) {
    if (v === null || v === undefined) return '–';
    if (v < 60) return `${v.toFixed(1).replace(/\.0$/, '')} s`;
    const m = Math.floor(v / 60);
    const s = Math.round(v - m * 60);
    return `${m}:${String(s).padStart(2, '0')} min`;
  }

  function localDate(iso, tz) {
    return new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(iso));
  }

  function localTime(iso, tz) {
    if (!iso) return '';
    return new Intl.DateTimeFormat('en-US', { timeZone: tz, month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' }).format(new Date(iso));
  }

  function el(tag, attrs, text) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
    if (text !== undefined) e.textContent = String(text);
    return e;
  }

  function svgEl(tag, attrs, text) {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
    if (text !== undefined) e.textContent = String(text);
    return e;
  }

  function kpi(id, value, text) {
    const e = $(id);
    e.textContent = text;
    e.dataset.value = value === null || value === undefined ? '' : String(value);
  }

  function fillTable(id, rows) {
    const body = $(id).querySelector('tbody');
    body.replaceChildren();
    if (rows.length === 0) {
      const tr = el('tr');
      tr.appendChild(el('td', { colspan: $(id).querySelectorAll('th').length, class: 'muted' }, 'None in this period'));
      body.appendChild(tr);
      return;
    }
    for (const r of rows) body.appendChild(r);
  }

  function row(cells, attrs) {
    const tr = el('tr', attrs);
    for (const c of cells) {
      if (c instanceof Node) {
        const td = el('td');
        td.appendChild(c);
        tr.appendChild(td);
      } else {
        tr.appendChild(el('td', typeof c === 'number' ? { class: 'num' } : {}, c));
      }
    }
    return tr;
  }

  /** Stacked bars per hour: answered, abandoned, other inbound, outbound. */
  function hourChart(perHour) {
    const w = 960, h = 260, left = 36, bottom = 28, top = 24;
    const series = [
      { key: 'answered', label: 'Answered', color: '#10b981', value: (b) => b.answered },
      { key: 'abandoned', label: 'Abandoned', color: '#ef4444', value: (b) => b.abandoned },
      { key: 'other', label: 'Other inbound', color: '#9aa5b1', value: (b) => b.inbound - b.answered - b.abandoned },
      { key: 'outbound', label: 'Outbound', color: '#3b82f6', value: (b) => b.outbound },
    ];
    const totals = perHour.map((b) => b.inbound + b.outbound);
    const max = Math.max(1, ...totals);
    const svg = svgEl('svg', { viewBox: `0 0 ${w} ${h}`, role: 'img', 'aria-label': 'Calls per hour', id: 'hour-svg' });
    const plotH = h - bottom - top;
    const bw = (w - left) / 24;
    for (let t = 0; t <= 4; t++) {
      const v = Math.round((max * t) / 4);
      const y = top + plotH - (plotH * v) / max;
      svg.appendChild(svgEl('line', { x1: left, x2: w, y1: y, y2: y, stroke: '#e4e7eb' }));
      svg.appendChild(svgEl('text', { x: left - 6, y: y + 4, 'text-anchor': 'end', 'font-size': 11, fill: '#7b8794' }, v));
    }
    perHour.forEach((b, i) => {
      let y = top + plotH;
      const x = left + i * bw + 3;
      const g = svgEl('g', { class: 'bar', 'data-hour': b.hour, 'data-total': totals[i] });
      for (const s of series) {
        const v = s.value(b);
        if (v <= 0) continue;
        const bh = (plotH * v) / max;
        y -= bh;
        const r = svgEl('rect', { x, y, width: bw - 6, height: bh, fill: s.color, 'data-series': s.key, 'data-value': v });
        r.appendChild(svgEl('title', {}, `${String(b.hour).padStart(2, '0')}:00 ${s.label}: ${v}`));
        g.appendChild(r);
      }
      svg.appendChild(g);
      if (b.hour % 2 === 0) svg.appendChild(svgEl('text', { x: x + (bw - 6) / 2, y: h - 10, 'text-anchor': 'middle', 'font-size': 11, fill: '#52606d' }, String(b.hour).padStart(2, '0')));
    });
    series.forEach((s, i) => {
      svg.appendChild(svgEl('rect', { x: left + i * 130, y: 4, width: 10, height: 10, fill: s.color }));
      svg.appendChild(svgEl('text', { x: left + i * 130 + 14, y: 13, 'font-size': 11, fill: '#52606d' }, s.label));
    });
    $('hour-chart').replaceChildren(svg);
  }

  /** A ring showing the service level. */
  function slChart(t, thresholdSec) {
    const size = 180, r = 70, c = 2 * Math.PI * r;
    const svg = svgEl('svg', { viewBox: `0 0 ${size} ${size}`, role: 'img', 'aria-label': 'Service level', id: 'sl-svg' });
    svg.appendChild(svgEl('circle', { cx: 90, cy: 90, r, fill: 'none', stroke: '#e4e7eb', 'stroke-width': 18 }));
    const v = t.serviceLevelPct ?? 0;
    svg.appendChild(svgEl('circle', {
      cx: 90, cy: 90, r, fill: 'none', stroke: v >= 80 ? '#10b981' : '#f59e0b', 'stroke-width': 18,
      'stroke-dasharray': `${(c * v) / 100} ${c}`, transform: 'rotate(-90 90 90)', 'data-value': t.serviceLevelPct ?? '',
    }));
    svg.appendChild(svgEl('text', { x: 90, y: 92, 'text-anchor': 'middle', 'font-size': 26, 'font-weight': 600 }, fmtPct(t.serviceLevelPct)));
    svg.appendChild(svgEl('text', { x: 90, y: 114, 'text-anchor': 'middle', 'font-size': 9, fill: '#52606d' }, `within ${thresholdSec} s`));
    $('sl-chart').replaceChildren(svg);
  }

  function render(r) {
    const t = r.totals;
    const tz = r.range.tz;
    kpi('kpi-sl', t.serviceLevelPct, fmtPct(t.serviceLevelPct));
    $('kpi-sl-hint').textContent = `${t.answeredWithinThreshold} of ${t.answered + t.abandonedAfterThreshold} within ${r.thresholdSec} s`;
    kpi('kpi-asa', t.averageSpeedOfAnswerSec, fmtSec(t.averageSpeedOfAnswerSec));
    kpi('kpi-abandon', t.abandonmentRatePct, fmtPct(t.abandonmentRatePct));
    kpi('kpi-aht', t.averageHandleTimeSec, fmtSec(t.averageHandleTimeSec));
    kpi('kpi-self', t.selfServiceRatePct, fmtPct(t.selfServiceRatePct));
    kpi('kpi-hold', t.averageHoldSec, fmtSec(t.averageHoldSec));
    $('kpi-hold-hint').textContent = `${t.held} of ${t.answered} answered held (${fmtPct(t.heldPct)})`;
    kpi('kpi-transfer', t.transferRatePct, fmtPct(t.transferRatePct));
    $('kpi-transfer-hint').textContent = `${t.transferred} of ${t.answered} answered`;
    kpi('kpi-parties', t.averageParticipants, fmtNum(t.averageParticipants));
    kpi('kpi-inbound', t.inbound, String(t.inbound));
    $('kpi-inbound-hint').textContent = `${t.answered} answered · ${t.abandoned} abandoned · ${t.shortAbandoned} short · ${t.outbound} outbound`;
    hourChart(r.perHour);
    slChart(t, r.thresholdSec);
    fillTable('intents', r.perIntent.map((i) => row([i.intent, i.calls, i.selfServed, fmtPct(i.selfServiceRatePct), i.answered, i.abandoned, i.deflected], { 'data-intent': i.intent })));
    fillTable('agents', r.perAgent.map((a) => row([a.name, a.answered, fmtSec(a.averageSpeedOfAnswerSec), fmtSec(a.averageHandleTimeSec), fmtSec(a.totalHandleSec), fmtSec(a.averageHoldSec), fmtPct(a.heldPct), fmtPct(a.transferRatePct), fmtNum(a.averageParticipants)], { 'data-agent': a.agentId })));
    const cb = r.callbacks;
    $('callback-summary').textContent = `${cb.created} created · ${cb.done} done (${cb.doneLate} late) · ${cb.overdue} overdue · SLA met ${fmtPct(cb.slaMetPct)}`;
    fillTable('callbacks', cb.tasks.map((task) => {
      const sla = task.overdue ? el('span', { class: 'flag' }, 'OVERDUE') : task.late ? el('span', { class: 'flag' }, 'late') : el('span', { class: 'ok' }, task.status === 'done' ? 'met' : 'on time');
      return row([task.reason, task.queueName || '', task.status, localTime(task.createdAt, tz), localTime(task.dueAt, tz), sla], { 'data-task': task.id, class: task.overdue ? 'overdue' : '' });
    }));
    fillTable('campaigns', r.campaigns.map((c) => row([c.name, c.kind, c.reminders, c.attempts, Object.entries(c.outcomes).sort().map(([k, n]) => `${k}: ${n}`).join(', ')], { 'data-campaign': c.campaignId })));
  }

  async function load() {
    const p = params();
    $('csv').setAttribute('href', `/api/reports.csv?${p}`);
    statusEl.className = '';
    statusEl.textContent = 'Loading…';
    let res;
    try {
      res = await fetch(`/api/reports?${p}`, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    } catch {
      statusEl.className = 'error';
      statusEl.textContent = 'careline did not answer. Try again in a moment.';
      return;
    }
    if (res.status === 401) {
      statusEl.className = 'error';
      statusEl.replaceChildren('Please ', el('a', { href: '/console/' }, 'sign in'), ' as a supervisor to see reports.');
      return;
    }
    if (!res.ok) {
      const body = await res.json().catch(() => ({}));
      statusEl.className = 'error';
      statusEl.textContent = res.status === 403 ? 'Reports are for supervisors.' : `Could not load the report: ${body.error || res.status}`;
      return;
    }
    const r = await res.json();
    $('from').value = localDate(r.range.from, r.range.tz);
    $('to').value = localDate(new Date(new Date(r.range.to).getTime() - 1).toISOString(), r.range.tz);
    $('threshold').value = r.thresholdSec;
    render(r);
    lastRange = { from: r.range.from, to: r.range.to, tz: r.range.tz };
    statusEl.textContent = `${r.range.tz} · generated ${localTime(r.generatedAt, r.range.tz)}`;
    $('report').hidden = false;
    document.body.dataset.loaded = 'true';
  }

  // Call search: the report's period plus the filters; pages of 25 with a cursor.
  let lastRange = null;
  let nextCursor = null;

  async function searchCalls(append) {
    if (!lastRange) return;
    const p = new URLSearchParams({ from: lastRange.from, to: lastRange.to, tz: lastRange.tz, limit: '25' });
    for (const k of ['number', 'patient', 'outcome']) {
      const v = $(`s-${k}`).value.trim();
      if (v) p.set(k, v);
    }
    if (append && nextCursor) p.set('cursor', nextCursor);
    const res = await fetch(`/api/calls?${p}`, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    const body = await res.json().catch(() => ({}));
    const tbody = $('calls').querySelector('tbody');
    if (!append) tbody.replaceChildren();
    if (!res.ok) {
      tbody.replaceChildren(row([`Search failed: ${body.error || res.status}`]));
      $('more').hidden = true;
      return;
    }
    for (const c of body.items) {
      const patient = c.patient ? `${c.patient.givenName} ${c.patient.familyName}` : '';
      tbody.appendChild(row([localTime(c.startedAt, lastRange.tz), c.direction, c.from || '', patient, c.intent || '', c.queueName || '', c.agentName || '', c.waitSec === null ? '' : fmtSec(c.waitSec), c.outcome || ''], { 'data-call': c.callSid }));
    }
    if (!append && body.items.length === 0) tbody.appendChild(row(['No calls match']));
    nextCursor = body.nextCursor;
    $('more').hidden = !nextCursor;
  }

  $('search-form').addEventListener('submit', (e) => {
    e.preventDefault();
    searchCalls(false);
  });
  $('more').addEventListener('click', () => searchCalls(true));

  $('range').addEventListener('submit', (e) => {
    e.preventDefault();
    const u = new URL(window.location.href);
    for (const k of ['from', 'to', 'threshold']) {
      const v = $(k).value;
      if (v) u.searchParams.set(k, v);
      else u.searchParams.delete(k);
    }
    window.history.replaceState(null, '', u);
    load();
  });

  load();
})();
