import { readFileSync } from 'node:fs';
import { escapeHtml, minuteChart } from '../preview-page/index.ts';
import type { ChartNode } from '../preview-page/index.ts';
import type { ReportFigures, RobotFigures } from './figures.ts';
import type { Suggestion } from './suggest.ts';

// The preview page's own stylesheet: the report reuses its top bar, counters, cards and chart classes, so both
// pages read alike. Inlined, as is everything: the page works offline and loads nothing (no CDN, no script).
const STYLE = readFileSync(new URL('../preview-page/page.css', import.meta.url), 'utf8');
const BAR = '#2f6fed';

/** The report as one self-contained HTML page: counters, per-robot per-minute charts against the limit, tables. */
export function reportPage(
  figures: ReportFigures,
  suggestions: readonly Suggestion[],
  timeZone: string,
): string {
  const minute = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit' });
  const when = new Intl.DateTimeFormat('en-GB', { timeZone, dateStyle: 'medium', timeStyle: 'short' });
  const { totals } = figures;
  const counters: [string, number, string][] = [
    ['updates', totals.inputs, ''],
    ['notified', totals.notified, ''],
    ['messages', totals.sent, ''],
    ['no route', totals.suppressed['no-route'], ''],
    ['repeat', totals.suppressed.repeat, ''],
    ['silence', totals.suppressed.silence, ''],
    ['waited for budget', totals.deferred, totals.deferred > 0 ? 'alert' : ''],
    ['dead-lettered', totals.deadLettered, totals.deadLettered > 0 ? 'bad' : ''],
  ];
  const fixed = (n: number) => (n >= 10 ? String(Math.round(n)) : n.toFixed(1));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>kube-wecom · report</title>
<style>${STYLE}</style>
</head>
<body>
<header class="topbar">
  <div class="brand"><span class="logo">K</span><div><h1>kube-wecom</h1><p>report · ${escapeHtml(`${when.format(figures.span.from)} → ${when.format(figures.span.to)}`)}</p></div></div>
  <div class="topbar-right"><span class="subtle">times in ${escapeHtml(timeZone)}</span></div>
</header>
<main>
<section class="counters" aria-label="Totals">${counters
    .map(
      ([label, value, tone]) =>
        `<div class="counter ${tone}"><span class="label">${label}</span><span class="value">${value}</span></div>`,
    )
    .join('')}</section>
${figures.robots.map((robot) => robotCard(robot, minute)).join('\n')}
${table(
  'Routes',
  ['route', 'events matched', 'notifications', 'messages/hour', 'messages per receiver'],
  figures.routes.map((r) => [
    r.route,
    r.eventsMatched,
    r.notifications,
    fixed(r.messagesPerHour),
    Object.entries(r.messages)
      .map(([receiver, n]) => `${receiver} ${n}`)
      .join(', '),
  ]),
)}
${table(
  'Receivers',
  ['receiver', 'notifications', 'messages', 'messages/hour', 'busiest minute', 'limit/min'],
  figures.receivers.map((r) => [
    r.receiver,
    r.notifications,
    r.messages,
    fixed(r.messagesPerHour),
    r.busiestMinute.messages,
    r.limitPerMinute,
  ]),
)}
${table(
  'Top reasons by notifications',
  ['reason', 'notifications'],
  figures.topReasons.map((r) => [r.name, r.count]),
)}
${table(
  'Top namespaces by notifications',
  ['namespace', 'notifications'],
  figures.topNamespaces.map((r) => [r.name, r.count]),
)}
${table(
  'Reached no route',
  ['reason', 'events'],
  figures.unrouted.map((r) => [r.name, r.count]),
)}
${table(
  'Held back by repeat policies',
  ['route', 'events'],
  figures.repeated.map((r) => [r.name, r.count]),
)}
${table(
  'Silenced',
  ['silence', 'comment', 'events'],
  figures.silenced.map((s) => [s.silence, s.comment, s.events]),
)}
${table(
  'Suggestions',
  ['suggestion'],
  suggestions.map((s) => [s.text]),
)}
</main>
</body>
</html>
`;
}

function table(title: string, headers: string[], rows: (string | number)[][]): string {
  const body =
    rows.length === 0
      ? `<tr><td colspan="${headers.length}">none</td></tr>`
      : rows
          .map((row) => `<tr>${row.map((cell) => `<td>${escapeHtml(String(cell))}</td>`).join('')}</tr>`)
          .join('');
  return `<section class="card" aria-label="${escapeHtml(title)}"><div class="card-title"><h2>${escapeHtml(title)}</h2></div>
<table><thead><tr>${headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${body}</tbody></table></section>`;
}

/** One robot's messages per minute against its limit: the preview page's chart, as markup. */
function robotCard(robot: RobotFigures, minute: Intl.DateTimeFormat): string {
  const name = escapeHtml(robot.robot);
  const chart = minuteChart({
    width: 760,
    limitPerMinute: robot.limitPerMinute,
    minutes: robot.perMinute.map(({ at, messages }) => ({ minute: at, counts: { [robot.robot]: messages } })),
    names: [robot.robot],
    colorOf: () => BAR,
    label: (at) => minute.format(at),
    ariaLabel: `Messages per minute to ${robot.robot}`,
  });
  return `<section class="card chart-card" aria-label="Messages per minute to ${name}" data-robot="${name}">
<div class="card-title"><h2>${name} <span class="subtle">· ${robot.messages} messages · busiest minute ${robot.busiestMinute.messages}/${robot.limitPerMinute}</span></h2></div>
<div class="chart">${markup(chart)}</div></section>`;
}

/** A chart tree as SVG markup, every attribute and text escaped. */
function markup(tree: ChartNode): string {
  const attrs = Object.entries(tree.attrs)
    .map(([key, value]) => ` ${key}="${escapeHtml(String(value))}"`)
    .join('');
  const children = tree.children.map((child) =>
    typeof child === 'string' ? escapeHtml(child) : markup(child),
  );
  return `<${tree.tag}${attrs}>${children.join('')}</${tree.tag}>`;
}
