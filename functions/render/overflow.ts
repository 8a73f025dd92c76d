import type { NormalizedEvent } from '../../contracts/index.ts';
import type { Msgtype } from '../bundle/index.ts';
import { ESCAPERS } from './escape.ts';

// Enough to see where the noise comes from; the rest is summed up so the summary stays one message.
const MAX_LISTED = 15;

/**
 * What a `+N more events` summary says about its events: counts, not the events. Events parked in the state table
 * while their robot had no free slot are kept in this form, so a summary can cover events that no single
 * invocation holds.
 */
export interface EventTally {
  total: number;
  warnings: number;
  clusters: string[];
  byReason: Record<string, number>;
  byNamespace: Record<string, number>;
}

/** The tally of some events. */
export function tallyOf(
  events: readonly Pick<NormalizedEvent, 'cluster' | 'type' | 'reason' | 'namespace'>[],
): EventTally {
  const tally: EventTally = { total: 0, warnings: 0, clusters: [], byReason: {}, byNamespace: {} };
  for (const event of events) {
    tally.total++;
    if (event.type === 'Warning') tally.warnings++;
    if (event.cluster && !tally.clusters.includes(event.cluster)) tally.clusters.push(event.cluster);
    const reason = event.reason || '(no reason)';
    const namespace = event.namespace || '(cluster-scoped)';
    tally.byReason[reason] = (tally.byReason[reason] ?? 0) + 1;
    tally.byNamespace[namespace] = (tally.byNamespace[namespace] ?? 0) + 1;
  }
  return tally;
}

/** Two tallies as one (neither is changed). */
export function mergeTallies(a: EventTally, b: EventTally): EventTally {
  const add = (x: Record<string, number>, y: Record<string, number>) => {
    const sum = { ...x };
    for (const [key, n] of Object.entries(y)) sum[key] = (sum[key] ?? 0) + n;
    return sum;
  };
  return {
    total: a.total + b.total,
    warnings: a.warnings + b.warnings,
    clusters: [...new Set([...a.clusters, ...b.clusters])],
    byReason: add(a.byReason, b.byReason),
    byNamespace: add(a.byNamespace, b.byNamespace),
  };
}

/**
 * The content of the `+N more events` summary sent instead of events over a robot's per-minute budget. Built in
 * code (not a template) because it must work for every receiver, whatever templates it uses.
 */
export function overflowContent(msgtype: Msgtype, tally: EventTally, perMinute: number): string {
  const escape = ESCAPERS[msgtype];
  const clusters = tally.clusters.join(', ');
  const title = `${clusters ? `${clusters}: ` : ''}+${tally.total} more event${tally.total === 1 ? '' : 's'}`;
  const why = `not sent one by one: the robot's limit of ${perMinute} messages per minute was reached`;
  const byReason = listed(tally.byReason, escape);
  const byNamespace = listed(tally.byNamespace, escape);
  const warned = tally.warnings > 0 ? `${tally.warnings} Warning` : '';
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

function listed(counts: Record<string, number>, escape: (text: string) => string): string {
  const sorted = Object.entries(counts).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const listed = sorted.slice(0, MAX_LISTED).map(([value, n]) => `${escape(value)} ${n}`);
  const rest = sorted.slice(MAX_LISTED).reduce((sum, [, n]) => sum + n, 0);
  if (rest > 0) listed.push(`others ${rest}`);
  return listed.join(' · ');
}
