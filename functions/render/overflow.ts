import type { NormalizedEvent } from '../../contracts/index.ts';
import type { Msgtype } from '../bundle/index.ts';
import { ESCAPERS } from './escape.ts';

// Enough to see where the noise comes from; the rest is summed up so the summary stays one message.
const MAX_LISTED = 15;

/**
 * The content of the `+N more events` summary sent instead of events over a robot's per-minute budget. Built in
 * code (not a template) because it must work for every receiver, whatever templates it uses.
 */
export function overflowContent(
  msgtype: Msgtype,
  events: readonly NormalizedEvent[],
  perMinute: number,
): string {
  const escape = ESCAPERS[msgtype];
  const clusters = [...new Set(events.map((e) => e.cluster).filter(Boolean))].join(', ');
  const warnings = events.filter((e) => e.type === 'Warning').length;
  const title = `${clusters ? `${clusters}: ` : ''}+${events.length} more event${events.length === 1 ? '' : 's'}`;
  const why = `not sent one by one: the robot's limit of ${perMinute} messages per minute was reached`;
  const byReason = tally(
    events.map((e) => e.reason || '(no reason)'),
    escape,
  );
  const byNamespace = tally(
    events.map((e) => e.namespace || '(cluster-scoped)'),
    escape,
  );
  const warned = warnings > 0 ? `${warnings} Warning` : '';
  switch (msgtype) {
    case 'markdown':
      return [
        `**${escape(title)}**${warned ? ` · <font color="warning">${warned}</font>` : ''}`,
        `<font color="comment">${why}</font>`,
        `**By reason**: ${byReason}`,
        `**By namespace**: ${byNamespace}`,
      ].join('\n');
    case 'markdown_v2':
      return [
        `**${escape(title)}**${warned ? ` (⚠️ ${warned})` : ''}`,
        why,
        `- By reason: ${byReason}`,
        `- By namespace: ${byNamespace}`,
      ].join('\n\n');
    case 'text':
      return [
        `${escape(title)}${warned ? `, ${warned}` : ''}`,
        why,
        `By reason: ${byReason}`,
        `By namespace: ${byNamespace}`,
      ].join('\n');
  }
}

function tally(values: string[], escape: (text: string) => string): string {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  const sorted = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const listed = sorted.slice(0, MAX_LISTED).map(([value, n]) => `${escape(value)} ${n}`);
  const rest = sorted.slice(MAX_LISTED).reduce((sum, [, n]) => sum + n, 0);
  if (rest > 0) listed.push(`others ${rest}`);
  return listed.join(' · ');
}
