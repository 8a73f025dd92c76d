import type { ReportFigures, Ranked } from './figures.ts';
import type { Suggestion } from './suggest.ts';

const perHour = (n: number) => (n >= 10 ? String(Math.round(n)) : n.toFixed(1));
const minuteOf = (at: number) => new Date(at).toISOString().slice(11, 16);
const list = (items: readonly Ranked[]) =>
  items.length === 0 ? 'none' : items.map((item) => `${item.name} ${item.count}`).join(', ');

/** The report as plain text, one section per question a user asks of a bundle. */
export function reportText(figures: ReportFigures, suggestions: readonly Suggestion[]): string {
  const { totals, span } = figures;
  const lines: string[] = [];
  const minutes = Math.round((span.to - span.from) / 60_000);
  lines.push(
    `Replayed ${totals.inputs} updates (${totals.records} queue records with the copies re-enqueued for waiting receivers, ` +
      `${totals.collapsed} events after collapsing) from ${new Date(span.from).toISOString()} ` +
      `over ${minutes} min in ${figures.batches} invocations (batch 100, window 10 s).`,
    `Notified ${totals.notified} events in ${totals.sent} messages; suppressed: no route ${totals.suppressed['no-route']}, ` +
      `repeat ${totals.suppressed.repeat}, silence ${totals.suppressed.silence}; waited for budget ${totals.deferred}; ` +
      `dead-lettered ${totals.deadLettered}.`,
    '',
    'Routes: events matched, notifications, messages/hour (messages per receiver)',
  );
  for (const route of figures.routes) {
    const messages = Object.entries(route.messages)
      .map(([receiver, n]) => `${receiver} ${n}`)
      .join(', ');
    lines.push(
      `  ${route.route}: ${route.eventsMatched} matched, ${route.notifications} notifications, ` +
        `${perHour(route.messagesPerHour)}/h${messages ? ` (${messages})` : ''}`,
    );
  }
  lines.push('', 'Receivers: notifications, messages, messages/hour, busiest minute against the limit');
  for (const receiver of figures.receivers) {
    const { busiestMinute } = receiver;
    lines.push(
      `  ${receiver.receiver}: ${receiver.notifications} notifications, ${receiver.messages} messages, ` +
        `${perHour(receiver.messagesPerHour)}/h, busiest minute ${busiestMinute.messages}/${receiver.limitPerMinute}` +
        (busiestMinute.messages > 0 ? ` at ${minuteOf(busiestMinute.at)} UTC` : ''),
    );
  }
  lines.push(
    '',
    `Top reasons by notifications: ${list(figures.topReasons)}`,
    `Top namespaces by notifications: ${list(figures.topNamespaces)}`,
    `Reached no route (by reason): ${list(figures.unrouted)}`,
    `Held back by repeat policies (by route): ${list(figures.repeated)}`,
    `Silenced: ${
      figures.silenced.length === 0
        ? 'none'
        : figures.silenced.map((s) => `silence ${s.silence} (${s.comment}) ${s.events}`).join(', ')
    }`,
    '',
    'Suggestions:',
  );
  if (suggestions.length === 0) lines.push('  none: no route sends more than 20 messages/hour to a receiver');
  for (const suggestion of suggestions) lines.push(`  ${suggestion.text}`);
  return `${lines.join('\n')}\n`;
}
