/* global document, window, location, EventSource, requestAnimationFrame */
// The preview page's script, bundled into the page by page.ts. Message content is untrusted: it only ever reaches
// the DOM as text nodes or as allow-listed elements built from the view tree, never through innerHTML.
import { messageView } from './message-view.ts';
import { isAllowed, textOf } from './nodes.ts';
import { minuteChart } from './chart.ts';

const POLL_MS = 2000;
const SVG = 'http://www.w3.org/2000/svg';
const PALETTE = ['#2d7cf6', '#13a8a8', '#f08c00', '#7c5cf0', '#2f9e44', '#5c7cfa', '#d6336c', '#0c8599'];
const COUNTERS = [
  ['eventsWatched', 'Events watched'],
  ['queued', 'Queued'],
  ['notified', 'Notified'],
  ['suppressed', 'Suppressed'],
  ['messagesSent', 'Messages sent'],
  ['rateLimited', '45009 rate limited'],
  ['retries', 'Retries'],
  ['dlqDepth', 'DLQ depth'],
  ['slotsGranted', 'Budget slots granted'],
  ['deferred', 'Waited for a slot'],
  ['parkedSent', 'Sent in summaries'],
];

const state = { messages: [], seen: new Set(), receivers: [], names: [], stats: null, lastSeq: 0 };

/** Builds an element; `props` are DOM properties, children are nodes or strings (added as text). */
function h(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  for (const child of children) node.append(child);
  return node;
}

/** A chart tree (see chart.ts) as SVG DOM nodes; its text goes in as text nodes. */
function toSvg(tree) {
  const node = document.createElementNS(SVG, tree.tag);
  for (const [name, value] of Object.entries(tree.attrs)) node.setAttribute(name, String(value));
  for (const child of tree.children) node.append(typeof child === 'string' ? child : toSvg(child));
  return node;
}

/** Appends a view tree as DOM nodes; an element outside the allow-list is shown as its text. */
function appendView(parent, nodes) {
  for (const node of nodes) {
    if (typeof node === 'string') {
      parent.append(document.createTextNode(node));
      continue;
    }
    if (!isAllowed(node)) {
      parent.append(document.createTextNode(textOf(node)));
      continue;
    }
    const element = document.createElement(node.tag);
    if (node.cls) element.className = node.cls;
    if (node.href) {
      element.href = node.href;
      element.rel = 'noopener noreferrer nofollow';
      element.target = '_blank';
    }
    if (node.align) element.style.textAlign = node.align;
    appendView(element, node.children);
    parent.append(element);
  }
}

// By column position rather than by a hash of the name, so the first robots never share a colour.
function colorOf(name) {
  const names = columnNames();
  const index = names.includes(name) ? names.indexOf(name) : names.length;
  return PALETTE[index % PALETTE.length];
}

function initials(name) {
  const words = name.split(/[\s\-_.:/]+/).filter(Boolean);
  if (words.length === 0) return '?';
  const letters = words.length > 1 ? [words[0], words[1]].map((w) => [...w][0]) : [...words[0]].slice(0, 2);
  return letters.join('').toUpperCase();
}

function avatar(name, small) {
  const node = h('div', { className: small ? 'avatar small' : 'avatar', textContent: initials(name) });
  node.style.background = colorOf(name);
  return node;
}

/**
 * Times in the bundle's time zone, the one the message bodies are rendered in, whatever zone this browser is in;
 * `zone` labels them with the offset in force at that instant (it changes with daylight saving time).
 */
function clockIn(timeZone) {
  const format = (options) => new Intl.DateTimeFormat([], { ...options, hour12: false, timeZone });
  const seconds = format({ hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const minutes = format({ hour: '2-digit', minute: '2-digit' });
  const full = format({
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  const offset = new Intl.DateTimeFormat('en', { timeZone, timeZoneName: 'shortOffset' });
  return {
    timeZone,
    time: (ms) => seconds.format(ms),
    minute: (ms) => minutes.format(ms),
    full: (ms) => `${full.format(ms)} ${timeZone}`,
    zone: (ms) => offset.formatToParts(ms).find((part) => part.type === 'timeZoneName').value,
  };
}

// Replaced by the bundle's zone with the first snapshot or poll, before any time is shown.
let clock = clockIn('UTC');

function setTimeZone(timeZone) {
  if (timeZone !== clock.timeZone) clock = clockIn(timeZone);
  document.getElementById('time-zone').textContent = `times in ${timeZone}, the bundle's time zone`;
}

function columnName(message) {
  return message.receiver ?? `unknown robot …${message.robot}`;
}

// Configured receivers first, in configuration order, then unknown robots as they appear.
function columnNames() {
  return state.names;
}

function refreshNames() {
  const names = [...state.receivers];
  for (const m of state.messages) if (!names.includes(columnName(m))) names.push(columnName(m));
  state.names = names;
}

function sizeLabel(message) {
  const node = h('span', { className: 'size', textContent: `${message.bytes} B` });
  if (message.limit !== null) {
    node.textContent += ` / ${message.limit}`;
    if (message.bytes > message.limit) node.classList.add('over');
    else if (message.bytes > message.limit * 0.9) node.classList.add('near');
  }
  return node;
}

function messageItem(message, fresh) {
  const name = columnName(message);
  const bubble = h('div', { className: 'bubble' });
  appendView(bubble, messageView(message.msgtype, message.payload));
  const item = h(
    'li',
    { className: fresh ? 'msg fresh' : 'msg' },
    avatar(name, true),
    h(
      'div',
      { className: 'msg-main' },
      h(
        'div',
        { className: 'msg-meta' },
        h('span', { className: 'who', textContent: name }),
        h(
          'time',
          { dateTime: new Date(message.receivedAt).toISOString(), title: clock.full(message.receivedAt) },
          clock.time(message.receivedAt),
          ' ',
          h('span', { className: 'zone', textContent: clock.zone(message.receivedAt) }),
        ),
      ),
      bubble,
      h(
        'div',
        { className: 'msg-foot' },
        ...(message.channel ? [h('span', { className: 'badge channel', textContent: message.channel })] : []),
        h('span', { className: `badge ${message.msgtype}`, textContent: message.msgtype }),
        sizeLabel(message),
        h('span', { textContent: `#${message.seq}` }),
      ),
    ),
  );
  item.dataset.seq = String(message.seq);
  return item;
}

const columns = new Map();

function column(name) {
  let col = columns.get(name);
  if (col) return col;
  const count = h('span', { className: 'count' });
  const feed = h('ol', { className: 'feed' });
  const root = h(
    'section',
    { className: 'column' },
    h(
      'header',
      { className: 'column-head' },
      avatar(name, false),
      h('h3', { textContent: name, title: name }),
      count,
    ),
    feed,
  );
  root.dataset.receiver = name;
  col = { root, feed, count, total: 0 };
  columns.set(name, col);
  document.getElementById('columns').append(root);
  return col;
}

function updateColumnHead(col) {
  col.count.textContent = col.total === 1 ? '1 message' : `${col.total} messages`;
  if (col.total === 0 && col.feed.childElementCount === 0) {
    col.feed.append(h('li', { className: 'empty', textContent: 'No messages yet' }));
  }
}

function renderColumns() {
  document.getElementById('columns').replaceChildren();
  columns.clear();
  for (const name of columnNames()) column(name);
  for (const message of state.messages) {
    const col = column(columnName(message));
    col.feed.append(messageItem(message, false));
    col.total++;
  }
  for (const col of columns.values()) updateColumnHead(col);
}

function addMessage(message, receivers) {
  if (state.seen.has(message.seq)) return;
  if (receivers) state.receivers = receivers;
  state.seen.add(message.seq);
  state.messages.unshift(message);
  state.lastSeq = Math.max(state.lastSeq, message.seq);
  if (receivers || !state.names.includes(columnName(message))) refreshNames();
  for (const name of state.names) column(name);
  const col = column(columnName(message));
  col.feed.querySelector('.empty')?.remove();
  col.feed.prepend(messageItem(message, true));
  col.total++;
  updateColumnHead(col);
}

function replaceAll(messages, receivers, timeZone) {
  setTimeZone(timeZone);
  state.messages = [...messages];
  state.seen = new Set(messages.map((m) => m.seq));
  state.receivers = receivers;
  state.lastSeq = messages.reduce((max, m) => Math.max(max, m.seq), 0);
  refreshNames();
  renderColumns();
}

function renderCounters(stats) {
  const cards = COUNTERS.map(([key, label]) => {
    const card = h('div', { className: 'counter' }, h('span', { className: 'label', textContent: label }));
    card.dataset.counter = key;
    if (key === 'suppressed') {
      const reasons = Object.entries(stats.suppressed).sort((a, b) => b[1] - a[1]);
      const total = reasons.reduce((sum, [, n]) => sum + n, 0);
      card.append(h('span', { className: 'value', textContent: String(total) }));
      const list = h('div', { className: 'reasons' });
      for (const [reason, n] of reasons)
        list.append(h('span', { className: 'reason', textContent: `${reason} ${n}` }));
      if (reasons.length > 0) card.append(list);
      return card;
    }
    const value = stats[key];
    card.append(h('span', { className: 'value', textContent: String(value) }));
    if (value > 0 && (key === 'rateLimited' || key === 'retries')) card.classList.add('alert');
    if (value > 0 && key === 'dlqDepth') card.classList.add('bad');
    return card;
  });
  document.getElementById('counters').replaceChildren(...cards);
}

function renderLegend(names, limit) {
  const items = names.map((name) => {
    const swatch = h('i');
    swatch.style.background = colorOf(name);
    return h('span', {}, swatch, name);
  });
  items.push(h('span', { className: 'limit' }, h('i'), `${limit}/min limit`));
  document.getElementById('legend').replaceChildren(...items);
}

// Bars per minute and robot against the per-robot limit: a robot over the line is being throttled by WeCom.
function renderChart(stats) {
  const names = [...columnNames()];
  for (const bucket of stats.perMinute) {
    for (const name of Object.keys(bucket.counts)) if (!names.includes(name)) names.push(name);
  }
  renderLegend(names, stats.limitPerMinute);
  const host = document.getElementById('chart');
  const chart = toSvg(
    minuteChart({
      // Drawn at the container's own width so labels keep their font size on any screen.
      width: Math.max(320, Math.round(host.clientWidth || 760)),
      limitPerMinute: stats.limitPerMinute,
      minutes: stats.perMinute,
      names,
      colorOf,
      label: (minute) => clock.minute(minute),
      ariaLabel: 'Messages per minute per robot',
    }),
  );
  host.replaceChildren(chart);
  document.getElementById('chart-window').textContent =
    `· last ${stats.perMinute.length} min · ${clock.zone(Date.now())}`;
}

function setStats(stats) {
  state.stats = stats;
  renderCounters(stats);
  renderChart(stats);
}

function setMode(mode, text) {
  const status = document.getElementById('status');
  status.dataset.mode = mode;
  document.getElementById('status-text').textContent = text;
}

async function getJson(path) {
  const res = await fetch(path, { cache: 'no-store' });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return res.json();
}

// Polling is the fallback when server-sent events are unavailable (a proxy that buffers, an old browser).
async function poll() {
  try {
    const [page, stats] = await Promise.all([
      getJson(`api/messages?since=${state.lastSeq}`),
      getJson('api/stats'),
    ]);
    if (state.stats === null) replaceAll(page.messages, page.receivers, page.timeZone);
    else for (const message of [...page.messages].reverse()) addMessage(message, page.receivers);
    setStats(stats);
    setMode('polling', `polling every ${POLL_MS / 1000} s`);
  } catch {
    setMode('offline', 'offline, retrying');
  }
  setTimeout(poll, POLL_MS);
}

function live() {
  const events = new EventSource('api/events');
  let failures = 0;
  events.addEventListener('snapshot', (e) => {
    const data = JSON.parse(e.data);
    replaceAll(data.messages, data.receivers, data.timeZone);
    setStats(data.stats);
    failures = 0;
    setMode('live', 'live');
  });
  events.addEventListener('wecom-message', (e) => {
    const data = JSON.parse(e.data);
    addMessage(data.message, data.receivers);
    if (state.stats) renderChart(state.stats);
  });
  events.addEventListener('stats', (e) => setStats(JSON.parse(e.data)));
  events.addEventListener('error', () => {
    failures++;
    if (events.readyState === EventSource.CLOSED || failures >= 3) {
      events.close();
      poll();
    } else {
      setMode('offline', 'reconnecting');
    }
  });
}

let resizeQueued = false;
window.addEventListener('resize', () => {
  if (resizeQueued || state.stats === null) return;
  resizeQueued = true;
  requestAnimationFrame(() => {
    resizeQueued = false;
    renderChart(state.stats);
  });
});

const forcePolling = new URLSearchParams(location.search).get('transport') === 'poll';
if (forcePolling || typeof window.EventSource !== 'function') poll();
else live();
