// dialerd's web console (docs/CONSOLE.md): plain modules, no framework, no build step. Everything it
// shows comes from the public API (/v1) with the key this tab was given, and every action is an API
// request, so the API's validation and workspace isolation apply as they do to any client. Every value
// from the daemon goes into the page as text (textContent, attributes set one by one): never as HTML.

const POLL_MS = 5000; // live pages ask again this often (docs/CONSOLE.md, "Live updates")
const KEY_STORE = 'dialerd.api_key'; // sessionStorage: this tab only
const PAGE = 50;
const STATES = ['pending', 'dispatching', 'in_progress', 'completed', 'failed', 'skipped', 'held'];
const OUTCOME_COLORS = {
  completed: '#2e7d32', no_answer: '#9e9e9e', busy: '#f9a825', voicemail: '#6a1b9a', failed: '#c62828',
  provider_error: '#ad1457', timeout: '#6d4c41', rejected: '#d84315', uncertain: '#ef6c00', cancelled: '#455a64',
  opted_out: '#283593',
};

// ---------------------------------------------------------------------------------------------- DOM

// An element with properties (`class`, `text`, `on*` handlers, anything else as an attribute) and
// children (nodes, or strings as text nodes).
function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = String(v);
    else if (k === 'style') Object.assign(node.style, v); // CSSOM: the CSP refuses style attributes
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

const SVG_NS = 'http://www.w3.org/2000/svg';
function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (k === 'text') node.textContent = String(v); else node.setAttribute(k, String(v));
  for (const c of children.flat()) if (c) node.append(c);
  return node;
}

function replace(node, ...children) {
  node.replaceChildren();
  return append(node, children);
}

// ---------------------------------------------------------------------------------------------- API

class ApiError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message || `the daemon answered ${status}`);
    this.status = status;
    this.code = error.code || String(status);
    this.field = error.field || null;
    this.body = body;
  }
}

function apiKey() {
  return sessionStorage.getItem(KEY_STORE) || '';
}

let keyPrompt = null; // one prompt at a time, shared by the requests that wait for it
let keyDismissed = false; // the operator closed the prompt: polls do not open it again (the API key button does)

// Asks for a key; resolves with whether one was given (false when the dialog was dismissed).
function askKey(why, { asked = false } = {}) {
  if (keyPrompt) return keyPrompt;
  if (keyDismissed && !asked) return Promise.resolve(false);
  const dialog = document.getElementById('key-dialog');
  document.getElementById('key-why').textContent = why;
  const input = document.getElementById('key-input');
  input.value = '';
  keyPrompt = new Promise((resolve) => {
    dialog.addEventListener('close', function onClose() {
      dialog.removeEventListener('close', onClose);
      keyPrompt = null;
      const given = dialog.returnValue === 'save' && input.value !== '';
      keyDismissed = !given;
      document.getElementById('key-button').hidden = false;
      if (given) sessionStorage.setItem(KEY_STORE, input.value);
      resolve(given);
    });
  });
  dialog.returnValue = '';
  dialog.showModal();
  input.focus();
  return keyPrompt;
}

// One API request. A 401 asks for a key and tries again with it, until a key is accepted or the operator
// dismisses the prompt; any other answer outside 2xx is thrown as an ApiError. `raw`: the Response itself
// (a CSV report).
async function api(method, path, { body, contentType, raw } = {}) {
  const headers = {};
  const key = apiKey();
  if (key) headers.Authorization = `Bearer ${key}`;
  let payload;
  if (body !== undefined) {
    headers['Content-Type'] = contentType || 'application/json';
    payload = contentType ? body : JSON.stringify(body);
  }
  const res = await fetch(path, { method, headers, body: payload, cache: 'no-store' });
  if (res.status === 401) {
    const given = await askKey(key ? 'The API key was refused. Give a valid key; it is kept for this tab only.'
      : 'This daemon asks for an API key. It is kept for this tab only.');
    if (given) return api(method, path, { body, contentType, raw });
  }
  if (raw && res.ok) return res;
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  if (!res.ok) throw new ApiError(res.status, json);
  return { status: res.status, data: json ? json.data : null };
}

// What went wrong, in words an operator can act on.
function describe(err) {
  if (err instanceof TypeError && /fetch/i.test(err.message)) return `The daemon could not be reached: ${err.message}`;
  if (!(err instanceof ApiError)) return `The console failed: ${err.message}`;
  const field = err.field ? ` (${err.field})` : '';
  switch (err.status) {
    case 400: return `Not accepted${field}: ${err.message}`;
    case 401: return 'The API key was refused: give a valid key (API key, top right).';
    case 403: return `This key may not do that: ${err.message}`;
    case 404: return `Not found: ${err.message}`;
    case 409: return `Not now: ${err.message}`;
    case 422: {
      const failed = (err.body && err.body.error && err.body.error.compliance && err.body.error.compliance.checks_failed) || [];
      const reasons = failed.map((c) => c.reason).filter(Boolean);
      return `Not eligible: ${err.message}${reasons.length ? ` (${reasons.join('; ')})` : ''}`;
    }
    case 429: return `Busy: ${err.message}`;
    default: return `The daemon answered ${err.status} ${err.code}: ${err.message}`;
  }
}

function notify(text, kind = 'error') {
  const notice = document.getElementById('notice');
  notice.className = kind;
  notice.textContent = text;
  notice.hidden = !text;
}

function confirmAction(text, { reason = false } = {}) {
  const dialog = document.getElementById('confirm-dialog');
  document.getElementById('confirm-text').textContent = text;
  document.getElementById('confirm-reason-label').hidden = !reason;
  const input = document.getElementById('confirm-reason');
  input.value = '';
  return new Promise((resolve) => {
    dialog.addEventListener('close', function onClose() {
      dialog.removeEventListener('close', onClose);
      resolve(dialog.returnValue === 'ok' ? { reason: input.value.trim() } : null);
    });
    dialog.returnValue = '';
    dialog.showModal();
  });
}

// ---------------------------------------------------------------------------------------------- formatting

function when(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleString();
}

function done(counts) {
  return counts.completed + counts.failed + counts.skipped;
}

function progress(counts) {
  const total = counts.total || 0;
  const share = total ? done(counts) / total : 0;
  return el('div', { class: 'progress', title: `${done(counts)} of ${total} calls ended` },
    el('div', { class: 'bar', style: { width: `${(share * 100).toFixed(1)}%` } }),
    el('span', { text: `${done(counts)} / ${total}` }));
}

function badge(status) {
  return el('span', { class: `badge ${status}`, text: status.replace('_', ' ') });
}

// Calls started per minute, from two readings of a campaign's `called` count.
const readings = new Map();
function rate(campaign) {
  const now = Date.now();
  const last = readings.get(campaign.id);
  readings.set(campaign.id, { at: now, called: campaign.counts.called });
  if (!last || now - last.at < 1000) return null;
  return ((campaign.counts.called - last.called) * 60000) / (now - last.at);
}

// ---------------------------------------------------------------------------------------------- pages

// A page renders into `main` and may poll; `signal` aborts when the operator goes elsewhere.
const pages = {
  campaigns: campaignsPage,
  campaign: campaignPage,
  call: callPage,
  held: heldPage,
  new: newCampaignPage,
  suppressions: suppressionsPage,
};

// Runs `fn` now and every POLL_MS until the page is left (`signal`), or until what it shows is gone (404).
// `fn` checks `signal.aborted` after each of its requests, before it changes the page.
function every(signal, fn) {
  const tick = async () => {
    if (signal.aborted) return;
    try {
      await fn();
    } catch (err) {
      if (signal.aborted) return;
      notify(describe(err));
      if (err instanceof ApiError && err.status === 404) return;
    }
    if (!signal.aborted) setTimeout(tick, POLL_MS);
  };
  return tick();
}

async function campaignsPage(main, signal, params) {
  const status = params.get('status') || '';
  const after = params.get('after') || '';
  const filter = el('select', { 'aria-label': 'Status', onchange: () => go('campaigns', { status: filter.value }) },
    ['', 'draft', 'scheduled', 'running', 'paused', 'completed', 'cancelled'].map((s) =>
      el('option', { value: s, selected: s === status, text: s || 'every status' })));
  const body = el('tbody');
  const more = el('div', { class: 'paging' });
  replace(main, el('h1', { text: 'Campaigns' }), el('div', { class: 'toolbar' }, filter),
    el('table', { class: 'campaigns' },
      el('thead', {}, el('tr', {}, ['Name', 'Status', 'Progress', 'Calls / min', 'In flight', 'Estimated finish']
        .map((h) => el('th', { text: h })))), body), more);
  await every(signal, async () => {
    const q = new URLSearchParams({ limit: String(PAGE) });
    if (status) q.set('status', status);
    if (after) q.set('after', after);
    const { data } = await api('GET', `/v1/campaigns?${q}`);
    if (signal.aborted) return;
    replace(body, data.items.length ? data.items.map(campaignRow)
      : el('tr', {}, el('td', { colspan: 6, class: 'empty', text: 'No campaigns.' })));
    replace(more,
      after ? el('a', { href: link('campaigns', { status }), text: 'First page' }) : null,
      data.next_after ? el('a', { href: link('campaigns', { status, after: data.next_after }), text: 'Next page' }) : null);
  });
}

function campaignRow(c) {
  const perMinute = rate(c);
  const inFlight = c.counts.dispatching + c.counts.in_progress;
  let finish = '—';
  if (c.counts.pending === 0 && c.counts.dispatching + c.counts.in_progress === 0) finish = 'done';
  else if (perMinute && perMinute > 0) finish = new Date(Date.now() + (c.counts.pending / perMinute) * 60000).toLocaleString();
  return el('tr', { 'data-campaign': c.id },
    el('td', {}, el('a', { href: link('campaign', { id: c.id }), text: c.name })),
    el('td', {}, badge(c.status)),
    el('td', {}, progress(c.counts)),
    el('td', { class: 'num', text: c.status !== 'running' ? '—' : perMinute === null ? '…' : perMinute.toFixed(1) }),
    el('td', { class: 'num', text: `${inFlight} / ${c.concurrency}` }),
    el('td', { text: finish }));
}

const EDITABLE = [
  ['name', 'Name', 'text'], ['concurrency', 'Concurrency', 'number'], ['calls_per_second', 'Calls per second', 'number'],
  ['calls_per_minute', 'Calls per minute', 'number'], ['max_calls_per_day', 'Max calls per day', 'number'],
  ['retry_attempts', 'Retry attempts', 'number'], ['retry_delay_seconds', 'Retry delay (s)', 'number'],
  ['start_time', 'Window start (HH:MM)', 'text'], ['end_time', 'Window end (HH:MM)', 'text'],
  ['timezone', 'Time zone', 'text'], ['max_calls_per_number_per_day', 'Max calls per from number per day', 'number'],
];
const ACTIONS = {
  draft: ['start', 'cancel'], scheduled: ['start', 'pause', 'cancel'], running: ['pause', 'cancel'],
  paused: ['resume', 'cancel'], completed: [], cancelled: [],
};

async function campaignPage(main, signal, params) {
  const id = params.get('id');
  const title = el('h1');
  const actions = el('div', { class: 'toolbar' });
  const counts = el('dl', { class: 'counts' });
  const chart = el('figure', { class: 'chart' });
  const settings = el('form', { class: 'settings' });
  const calls = el('section');
  replace(main, title, actions, counts, el('h2', { text: 'Outcomes per hour' }), chart,
    el('h2', { text: 'Settings' }), settings, el('h2', { text: 'Calls' }), calls);
  let shown = null;
  const reloadCalls = renderCalls(calls, id);
  const refresh = async () => {
    const { data: c } = await api('GET', `/v1/campaigns/${encodeURIComponent(id)}`);
    if (signal.aborted) return;
    replace(title, c.name, ' ', badge(c.status));
    replace(counts, ...STATES.concat(['total', 'called']).map((s) =>
      el('div', { 'data-count': s }, el('dt', { text: s.replace('_', ' ') }), el('dd', { text: c.counts[s] }))));
    if (!shown || shown.status !== c.status) renderActions(actions, c, refresh);
    if (!shown) renderSettings(settings, c, refresh);
    shown = c;
    const [stats, forecast] = await Promise.all([
      api('GET', `/v1/campaigns/${encodeURIComponent(id)}/stats?bucket=hour`),
      c.counts.pending > 0 ? api('GET', `/v1/campaigns/${encodeURIComponent(id)}/forecast`).catch(() => null) : null,
    ]);
    if (signal.aborted) return;
    renderChart(chart, stats.data, forecast && forecast.data);
    await reloadCalls();
  };
  await every(signal, refresh);
}

function renderActions(node, c, refresh) {
  const run = async (action) => {
    if (action === 'cancel') {
      const ok = await confirmAction(`Cancel campaign "${c.name}"? Its pending calls are skipped; this cannot be undone.`);
      if (!ok) return;
    }
    try {
      await api('POST', `/v1/campaigns/${encodeURIComponent(c.id)}/${action}`);
      notify(`Campaign ${action === 'cancel' ? 'cancelled' : `${action}ed`}.`, 'ok');
      await refresh();
    } catch (err) { notify(describe(err)); }
  };
  const download = async () => {
    const path = `/v1/campaigns/${encodeURIComponent(c.id)}/report`;
    if (!apiKey()) { // no key to send: the browser saves the stream to disk, however big
      const a = el('a', { href: path, download: `campaign-${c.id}-calls.csv` });
      document.body.append(a);
      a.click();
      a.remove();
      return;
    }
    // A link cannot carry the key (keys never go into URLs): fetched, then saved from memory.
    try {
      const res = await api('GET', path, { raw: true });
      const url = URL.createObjectURL(await res.blob());
      const a = el('a', { href: url, download: `campaign-${c.id}-calls.csv` });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (err) { notify(describe(err)); }
  };
  replace(node, (ACTIONS[c.status] || []).map((a) =>
    el('button', { type: 'button', 'data-action': a, class: a === 'cancel' ? 'danger' : '', onclick: () => run(a), text: a })),
  el('button', { type: 'button', class: 'quiet', 'data-action': 'report', onclick: download, text: 'Download report (CSV)' }));
}

function renderSettings(form, c, refresh) {
  const inputs = EDITABLE.map(([key, label, type]) => {
    const input = el('input', { name: key, type, value: c[key] ?? '', min: type === 'number' ? 0 : null });
    return el('label', {}, label, input);
  });
  const save = el('button', { type: 'submit', text: 'Save changes' });
  replace(form, inputs, el('div', { class: 'actions' }, save));
  form.onsubmit = async (e) => {
    e.preventDefault();
    const patch = {};
    for (const [key, , type] of EDITABLE) {
      const raw = form.elements[key].value.trim();
      const before = c[key] ?? '';
      if (raw === String(before)) continue;
      patch[key] = raw === '' ? null : type === 'number' ? Number(raw) : raw;
    }
    if (!Object.keys(patch).length) { notify('Nothing changed.', 'ok'); return; }
    try {
      const { data } = await api('PATCH', `/v1/campaigns/${encodeURIComponent(c.id)}`, { body: patch });
      Object.assign(c, data);
      notify('Settings saved.', 'ok');
      await refresh();
    } catch (err) { notify(describe(err)); }
  };
}

// Outcomes per hour over the last 24 hours as stacked bars, and the forecast's next hours as outlined
// bars after them.
function renderChart(figure, stats, forecast) {
  const past = stats.buckets.map((b) => ({ start: b.start, outcomes: b.outcomes, total: Object.values(b.outcomes).reduce((a, n) => a + n, 0) }));
  const ahead = forecast ? forecast.hours.slice(0, 12).map((h) => ({ start: h.start, expected: h.calls })) : [];
  const bars = past.length + ahead.length;
  const max = Math.max(1, ...past.map((b) => b.total), ...ahead.map((h) => h.expected));
  const W = 760, H = 180, pad = 24, bw = (W - pad * 2) / Math.max(bars, 1);
  const y = (n) => H - pad - (n / max) * (H - pad * 2);
  const g = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': 'Outcomes per hour' });
  g.append(svg('line', { x1: pad, y1: H - pad, x2: W - pad, y2: H - pad, class: 'axis' }));
  g.append(svg('text', { x: 2, y: pad, class: 'tick', text: String(max) }));
  past.forEach((b, i) => {
    let top = H - pad;
    for (const [kind, n] of Object.entries(b.outcomes)) {
      const h = (n / max) * (H - pad * 2);
      top -= h;
      g.append(svg('rect', { x: pad + i * bw + 1, y: top, width: Math.max(bw - 2, 1), height: h, fill: OUTCOME_COLORS[kind] || '#607d8b' },
        svg('title', { text: `${when(b.start)}: ${n} ${kind}` })));
    }
  });
  ahead.forEach((h, j) => {
    const i = past.length + j;
    g.append(svg('rect', { x: pad + i * bw + 1, y: y(h.expected), width: Math.max(bw - 2, 1), height: H - pad - y(h.expected), class: 'forecast' },
      svg('title', { text: `${when(h.start)}: about ${h.expected} calls expected` })));
  });
  // The hour of every sixth bar, and "now" where the forecast starts.
  const hour = (local) => String(local).slice(11, 16); // the bucket's own local time, in the campaign's zone
  past.forEach((b, i) => {
    if (i % 6 === 0) g.append(svg('text', { x: pad + i * bw, y: H - 6, class: 'tick', text: hour(b.start) }));
  });
  if (ahead.length) g.append(svg('text', { x: pad + past.length * bw, y: H - 6, class: 'tick', text: 'now' }));
  const kinds = Object.keys(stats.totals.outcomes);
  replace(figure, g, el('figcaption', {},
    kinds.length ? kinds.map((k) => el('span', { class: 'key' }, el('i', { style: { background: OUTCOME_COLORS[k] || '#607d8b' } }), `${k} ${stats.totals.outcomes[k]}`))
      : 'No outcomes in the last 24 hours.',
    ahead.length ? el('span', { class: 'key' }, el('i', { class: 'forecast' }), 'forecast') : null));
}

function renderCalls(section, campaignId) {
  const state = el('select', { 'aria-label': 'State' }, el('option', { value: '', text: 'every state' }),
    STATES.map((s) => el('option', { value: s, text: s.replace('_', ' ') })));
  const body = el('tbody');
  const paging = el('div', { class: 'paging' });
  const cursors = ['']; // the cursor of each page shown so far: back and forward
  let page = 0;
  const load = async () => {
    const q = new URLSearchParams({ limit: String(PAGE) });
    if (state.value) q.set('state', state.value);
    if (cursors[page]) q.set('cursor', cursors[page]);
    try {
      const { data } = await api('GET', `/v1/campaigns/${encodeURIComponent(campaignId)}/calls?${q}`);
      replace(body, data.items.length ? data.items.map((k) => el('tr', { 'data-call': k.id },
        el('td', {}, el('a', { href: link('call', { id: k.id }), text: k.id })),
        el('td', { text: k.phone_number }), el('td', { text: k.state }), el('td', { class: 'num', text: k.attempts }),
        el('td', { text: k.last_outcome || '—' }),
        el('td', { text: k.state === 'pending' ? when(k.next_attempt_at) : '—' }),
        el('td', { class: 'reason', text: k.last_error || '' })))
        : el('tr', {}, el('td', { colspan: 7, class: 'empty', text: 'No calls.' })));
      cursors[page + 1] = data.next_cursor || null;
      replace(paging,
        page > 0 ? el('button', { type: 'button', class: 'quiet', onclick: () => { page -= 1; load(); }, text: 'Previous page' }) : null,
        data.next_cursor ? el('button', { type: 'button', class: 'quiet', onclick: () => { page += 1; load(); }, text: 'Next page' }) : null);
    } catch (err) { notify(describe(err)); }
  };
  state.onchange = () => { cursors.length = 1; page = 0; load(); };
  replace(section, el('div', { class: 'toolbar' }, state),
    el('table', { class: 'calls' }, el('thead', {}, el('tr', {},
      ['Call', 'Phone', 'State', 'Attempts', 'Last outcome', 'Next attempt', 'Reason'].map((h) => el('th', { text: h })))), body),
    paging);
  return load; // the page shown, asked again (the campaign page's polls)
}

async function callPage(main, signal, params) {
  const id = params.get('id');
  await every(signal, async () => {
    const { data: k } = await api('GET', `/v1/calls/${encodeURIComponent(id)}`);
    if (signal.aborted) return;
    const c = k.compliance || {};
    const check = (x) => el('li', { 'data-check': x.id }, el('strong', { text: x.name || x.id }), ': ', x.reason || '');
    replace(main,
      el('h1', {}, `Call ${k.id} `, badge(k.state)),
      el('p', {}, el('a', { href: link('campaign', { id: k.campaign_id }), text: `Campaign ${k.campaign_id}` })),
      el('dl', { class: 'facts' },
        [['Phone', k.phone_number], ['Attempts', k.attempts], ['Last outcome', k.last_outcome || '—'],
          ['Reason', k.last_error || '—'], ['Next attempt', k.state === 'pending' ? when(k.next_attempt_at) : '—'],
          ['Verdict', c.verdict || '—'], ['May go out at', c.eligible_at ? when(c.eligible_at) : '—']]
          .map(([t, d]) => el('div', {}, el('dt', { text: t }), el('dd', { text: d })))),
      el('h2', { text: 'Variables' }),
      el('dl', { class: 'facts vars' }, Object.entries(k.variables || {}).map(([name, v]) =>
        el('div', { 'data-variable': name }, el('dt', { text: name }), el('dd', { text: typeof v === 'string' ? v : JSON.stringify(v) })))),
      el('h2', { text: 'Why it is not called (checks failed)' }),
      (c.checks_failed || []).length ? el('ul', { class: 'checks failed' }, c.checks_failed.map(check)) : el('p', { text: 'None: every check passes.' }),
      el('h2', { text: 'Checks passed' }),
      el('ul', { class: 'checks passed' }, (c.checks_passed || []).map(check)),
      el('h2', { text: 'Attempts' }),
      el('table', {}, el('thead', {}, el('tr', {}, ['#', 'Submitted', 'From', 'Outcome', 'Detail', 'Finished'].map((h) => el('th', { text: h })))),
        el('tbody', {}, (k.attempt_history || []).length ? k.attempt_history.map((a) => el('tr', {},
          el('td', { text: a.number }), el('td', { text: when(a.submitted_at) }), el('td', { text: a.from_number || '—' }),
          el('td', { text: a.outcome || 'in flight' }), el('td', { text: a.detail || '' }), el('td', { text: when(a.finished_at) })))
          : el('tr', {}, el('td', { colspan: 6, class: 'empty', text: 'No attempt yet.' })))));
  });
}

const RELEASE_WARNING = 'Releasing makes the call pending again, so it may be placed a second time: its first '
  + 'submission may have reached the provider. Check the provider\'s records first.';

async function heldPage(main, signal) {
  const list = el('section');
  replace(main, el('h1', { text: 'Held calls' }),
    el('p', { text: 'A held call may or may not have been placed. dialerd never redials one on its own: release it to call again, or fail it.' }),
    list);
  let after = '';
  const campaigns = [];
  // Campaigns with held calls, a page of campaigns at a time.
  for (;;) {
    const q = new URLSearchParams({ limit: '500' });
    if (after) q.set('after', after);
    const { data } = await api('GET', `/v1/campaigns?${q}`);
    campaigns.push(...data.items.filter((c) => c.counts.held > 0));
    if (!data.next_after || signal.aborted) break;
    after = data.next_after;
  }
  if (!campaigns.length) { replace(list, el('p', { class: 'empty', text: 'No held calls.' })); return; }
  replace(list, campaigns.map((c) => heldOfCampaign(c)));
}

function heldOfCampaign(c) {
  const section = el('section', { class: 'held', 'data-campaign': c.id });
  const body = el('tbody');
  const decide = async (action, ids) => {
    const ok = await confirmAction(action === 'release'
      ? `${RELEASE_WARNING} Release ${ids ? ids.length : 'every'} call(s)?`
      : `Fail ${ids ? ids.length : 'every'} held call(s) for good?`, { reason: true });
    if (!ok) return;
    const body = ok.reason ? { reason: ok.reason } : undefined;
    try {
      if (ids) for (const id of ids) await api('POST', `/v1/calls/${encodeURIComponent(id)}/${action}`, { body });
      else await api('POST', `/v1/campaigns/${encodeURIComponent(c.id)}/held/${action}`, { body });
      notify(`${action === 'release' ? 'Released' : 'Failed'}.`, 'ok');
      await load();
    } catch (err) { notify(describe(err)); }
  };
  const selected = () => [...body.querySelectorAll('input:checked')].map((i) => i.value);
  const load = async () => {
    const { data } = await api('GET', `/v1/campaigns/${encodeURIComponent(c.id)}/calls?state=held&limit=1000`);
    replace(body, data.items.length ? data.items.map((k) => el('tr', { 'data-call': k.id },
      el('td', {}, el('input', { type: 'checkbox', value: k.id, 'aria-label': `select call ${k.id}` })),
      el('td', {}, el('a', { href: link('call', { id: k.id }), text: k.id })), el('td', { text: k.phone_number }),
      el('td', { text: when(k.updated_at) }), el('td', { class: 'reason', text: k.last_error || '' }),
      el('td', {}, el('button', { type: 'button', 'data-action': 'release', onclick: () => decide('release', [k.id]), text: 'release' }),
        el('button', { type: 'button', class: 'danger', 'data-action': 'fail', onclick: () => decide('fail', [k.id]), text: 'fail' }))))
      : el('tr', {}, el('td', { colspan: 6, class: 'empty', text: 'No held calls left.' })));
  };
  append(section, [el('h2', {}, el('a', { href: link('campaign', { id: c.id }), text: c.name })),
    el('div', { class: 'toolbar' },
      el('button', { type: 'button', 'data-action': 'release-selected', onclick: () => { const ids = selected(); if (ids.length) decide('release', ids); }, text: 'Release selected' }),
      el('button', { type: 'button', class: 'danger', 'data-action': 'fail-selected', onclick: () => { const ids = selected(); if (ids.length) decide('fail', ids); }, text: 'Fail selected' }),
      el('button', { type: 'button', class: 'quiet', 'data-action': 'release-all', onclick: () => decide('release', null), text: 'Release all' }),
      el('button', { type: 'button', class: 'quiet danger', 'data-action': 'fail-all', onclick: () => decide('fail', null), text: 'Fail all' })),
    el('table', {}, el('thead', {}, el('tr', {}, ['', 'Call', 'Phone', 'Held since', 'Reason', ''].map((h) => el('th', { text: h })))), body)]);
  load().catch((err) => notify(describe(err)));
  return section;
}

async function newCampaignPage(main) {
  const field = (name, label, props = {}) => el('label', {}, label, el('input', { name, ...props }));
  const form = el('form', { class: 'settings' },
    field('name', 'Name', { required: true, maxlength: 200 }),
    field('agent_id', 'Agent id', { required: true }),
    field('provider', 'Provider (as configured)', { required: true }),
    field('from_number', 'From number (E.164)', { required: true, placeholder: '+14155550100' }),
    field('concurrency', 'Concurrency', { type: 'number', min: 1, value: 1 }),
    field('timezone', 'Time zone', { value: 'UTC' }),
    el('label', {}, 'Contacts (CSV with a phone_number column)', el('input', { name: 'csv', type: 'file', accept: '.csv,text/csv', required: true })),
    el('label', { class: 'check' }, el('input', { name: 'start', type: 'checkbox', checked: true }), 'Start dialing once the contacts are in'),
    el('div', { class: 'actions' }, el('button', { type: 'submit', text: 'Create campaign' })));
  const result = el('section', { class: 'result' });
  replace(main, el('h1', { text: 'New campaign' }), form, result);
  form.onsubmit = async (e) => {
    e.preventDefault();
    const f = form.elements;
    const file = f.csv.files[0];
    if (!file) return;
    try {
      const { data: c } = await api('POST', '/v1/campaigns', {
        body: {
          name: f.name.value, agent_id: f.agent_id.value, provider: f.provider.value, from_number: f.from_number.value,
          concurrency: Number(f.concurrency.value || 1), timezone: f.timezone.value || 'UTC', status: 'draft', contacts: [],
        },
      });
      let upload;
      try {
        upload = await api('POST', `/v1/campaigns/${encodeURIComponent(c.id)}/contacts`, { body: await file.text(), contentType: 'text/csv' });
      } catch (err) {
        const errors = (err.body && err.body.errors) || [];
        replace(result, el('p', { class: 'error', text: `Campaign ${c.id} was created as a draft, but no contact was added: ${describe(err)}` }), errorTable(errors),
          el('a', { href: link('campaign', { id: c.id }), text: 'Open the campaign' }));
        return;
      }
      const errors = upload.data.errors || [];
      let started = '';
      if (f.start.checked) {
        try {
          await api('POST', `/v1/campaigns/${encodeURIComponent(c.id)}/start`);
        } catch (err) { started = ` It was not started: ${describe(err)}`; }
      }
      replace(result,
        el('p', { class: errors.length || started ? 'warning' : 'ok', text: `Campaign ${c.id}: ${upload.data.added} call(s) added${errors.length ? `, ${errors.length} record(s) refused` : ''}.${started}` }),
        errorTable(errors), el('a', { href: link('campaign', { id: c.id }), text: 'Open the campaign' }));
    } catch (err) { notify(describe(err)); }
  };
}

function errorTable(errors) {
  if (!errors.length) return null;
  return el('table', { class: 'errors' }, el('thead', {}, el('tr', {}, ['Row', 'Field', 'Problem'].map((h) => el('th', { text: h })))),
    el('tbody', {}, errors.map((e) => el('tr', {}, el('td', { class: 'num', text: (e.index ?? 0) + 1 }),
      el('td', { text: e.field || '' }), el('td', { text: e.message || '' })))));
}

async function suppressionsPage(main) {
  const add = el('form', { class: 'inline' },
    el('input', { name: 'phone', placeholder: '+14155550100', required: true, 'aria-label': 'Phone number' }),
    el('input', { name: 'reason', placeholder: 'reason', required: true, 'aria-label': 'Reason' }),
    el('button', { type: 'submit', text: 'Suppress' }));
  const search = el('form', { class: 'inline' },
    el('input', { name: 'phone', placeholder: '+14155550100', required: true, 'aria-label': 'Find a number' }),
    el('button', { type: 'submit', class: 'quiet', text: 'Find' }));
  const body = el('tbody');
  const paging = el('div', { class: 'paging' });
  replace(main, el('h1', { text: 'Suppressions' }), el('p', { text: 'Numbers this workspace never calls.' }),
    el('h2', { text: 'Add' }), add, el('h2', { text: 'Find' }), search,
    el('table', {}, el('thead', {}, el('tr', {}, ['Phone', 'Reason', 'Source', 'Since', ''].map((h) => el('th', { text: h })))), body), paging);
  const row = (s) => el('tr', { 'data-phone': s.phone_number },
    el('td', { text: s.phone_number }), el('td', { text: s.reason || '' }), el('td', { text: s.source || '' }),
    el('td', { text: when(s.created_at) }),
    el('td', {}, el('button', { type: 'button', class: 'danger', onclick: () => remove(s.phone_number), text: 'remove' })));
  const load = async (after = '') => {
    const q = new URLSearchParams({ limit: String(PAGE) });
    if (after) q.set('after', after);
    const { data } = await api('GET', `/v1/suppressions?${q}`);
    replace(body, data.items.length ? data.items.map(row) : el('tr', {}, el('td', { colspan: 5, class: 'empty', text: 'None.' })));
    replace(paging, data.next_after ? el('button', { type: 'button', class: 'quiet', onclick: () => load(data.next_after), text: 'Next page' }) : null);
  };
  const remove = async (phone) => {
    if (!await confirmAction(`Remove ${phone} from the suppressions? It may then be called again.`)) return;
    try {
      await api('DELETE', `/v1/suppressions/${encodeURIComponent(phone)}`);
      notify(`${phone} removed.`, 'ok');
      await load();
    } catch (err) { notify(describe(err)); }
  };
  add.onsubmit = async (e) => {
    e.preventDefault();
    try {
      await api('POST', '/v1/suppressions', { body: { phone_number: add.elements.phone.value.trim(), reason: add.elements.reason.value } });
      notify(`${add.elements.phone.value.trim()} suppressed.`, 'ok');
      add.reset();
      await load();
    } catch (err) { notify(describe(err)); }
  };
  search.onsubmit = async (e) => {
    e.preventDefault();
    try {
      const { data } = await api('GET', `/v1/suppressions/${encodeURIComponent(search.elements.phone.value.trim())}`);
      replace(body, row(data));
      replace(paging, el('button', { type: 'button', class: 'quiet', onclick: () => load(), text: 'Show all' }));
    } catch (err) { notify(describe(err)); }
  };
  await load();
}

// ---------------------------------------------------------------------------------------------- routing

// "#/campaign?id=7" style links: a page name and its parameters.
function link(page, params = {}) {
  const q = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== '' && v !== null && v !== undefined));
  const s = q.toString();
  return `#/${page}${s ? `?${s}` : ''}`;
}

function go(page, params) {
  location.hash = link(page, params);
}

let current = null;
async function route() {
  if (current) current.abort();
  current = new AbortController();
  const hash = location.hash.replace(/^#\/?/, '');
  const [name, query] = hash.split('?');
  const page = pages[name] ? name : 'campaigns';
  for (const a of document.querySelectorAll('[data-nav]')) a.classList.toggle('active', a.dataset.nav === page);
  notify('');
  const main = document.getElementById('main');
  try {
    await pages[page](main, current.signal, new URLSearchParams(query || ''));
  } catch (err) {
    notify(describe(err));
  }
}

document.getElementById('key-button').hidden = !apiKey();
document.getElementById('key-button').addEventListener('click', () => askKey('Give the API key to use from now on; it is kept for this tab only.', { asked: true }).then(route));
window.addEventListener('hashchange', route);
route();
