// Shared by the agent console and the supervisor view. Everything that came from a caller or the
// server is written with textContent, never innerHTML: names and speech are data, not markup.
'use strict';

window.careline = (() => {
  let csrf = '';
  const $ = (id) => document.getElementById(id);

  /** Calls the staff API; throws an Error carrying the server's `error` text and status. */
  async function api(method, path, body) {
    const res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = await res.json().catch(() => ({}));
    if (!res.ok) throw Object.assign(new Error(data.error || `HTTP ${res.status}`), { status: res.status, data });
    return data;
  }

  function setCsrf(token) {
    csrf = token || '';
  }

  /** Sets an element's text (the only way caller data reaches the page). */
  function text(id, value) {
    $(id).textContent = value === null || value === undefined || value === '' ? '—' : String(value);
  }

  function show(id, visible) {
    $(id).hidden = !visible;
  }

  function elapsed(since) {
    return seconds(Math.max(0, Math.round((Date.now() - new Date(since).getTime()) / 1000)));
  }

  /** Whoever is logged in, or null. */
  async function whoAmI() {
    try {
      const me = await api('GET', '/api/auth/me');
      setCsrf(me.csrfToken);
      return me;
    } catch {
      return null;
    }
  }

  /** A new element whose content is text (never parsed as markup). */
  function el(tag, value, attrs = {}) {
    const node = document.createElement(tag);
    if (value !== undefined && value !== null) node.textContent = String(value);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    return node;
  }

  function button(label, onClick, attrs = {}) {
    const b = el('button', label, { type: 'button', ...attrs });
    b.addEventListener('click', onClick);
    return b;
  }

  /** `vi` -> `Vietnamese (vi)`: the browser knows language names, so no table to keep. */
  function languageName(tag) {
    if (!tag) return '';
    try {
      const name = new Intl.DisplayNames(['en'], { type: 'language' }).of(tag);
      return name && name !== tag ? `${name} (${tag})` : tag;
    } catch {
      return tag;
    }
  }

  function seconds(s) {
    return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
  }

  return { $, api, setCsrf, text, show, elapsed, whoAmI, el, button, languageName, seconds };
})();
