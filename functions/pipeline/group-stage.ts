import type { NormalizedEvent } from '../../contracts/index.ts';
import { mergeMentions } from '../rules/index.ts';
import type { ResolvedMentions } from '../rules/index.ts';
import type { JudgedEvent } from './judge-stage.ts';
import type { Notice } from './types.ts';

/**
 * Stage 4: deliveries → notices. Deliveries to one receiver whose route groups `by` some fields share a digest
 * when those fields' values are equal; the digest mentions the union of its events' mentions. Deliveries from
 * routes without `group` stay single-event notices. Notices keep first-seen order.
 */
export function groupDeliveries(judged: readonly JudgedEvent[]): Notice[] {
  const notices: Notice[] = [];
  const digests = new Map<string, Notice>();
  // `group.by` lists are shared by every delivery of their route: joined once each, not once per delivery.
  const byKeys = new Map<readonly string[], string>();
  for (const { collapsed, decision } of judged) {
    for (const delivery of decision.deliveries) {
      if (delivery.groupBy === undefined) {
        notices.push({
          receiver: delivery.receiver,
          events: [collapsed],
          group: undefined,
          mentions: copy(delivery.mentions),
        });
        continue;
      }
      let byKey = byKeys.get(delivery.groupBy);
      if (byKey === undefined) byKeys.set(delivery.groupBy, (byKey = delivery.groupBy.join('\u0000')));
      let key = `${delivery.receiver}\u0000${byKey}`;
      for (const field of delivery.groupBy) key += `\u0000${groupValue(collapsed.event, field)}`;
      const digest = digests.get(key);
      if (digest) {
        digest.events.push(collapsed);
        mergeMentions(digest.mentions, delivery.mentions);
      } else {
        const notice: Notice = {
          receiver: delivery.receiver,
          events: [collapsed],
          group: groupValues(collapsed.event, delivery.groupBy),
          mentions: copy(delivery.mentions),
        };
        digests.set(key, notice);
        notices.push(notice);
      }
    }
  }
  return notices;
}

/** The values of `group.by` fields for one event; `namespaceLabels.<key>` reads a namespace label. */
export function groupValues(event: NormalizedEvent, by: readonly string[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const field of by) values[field] = groupValue(event, field);
  return values;
}

function groupValue(event: NormalizedEvent, field: string): string {
  return field.startsWith('namespaceLabels.')
    ? (event.namespaceLabels[field.slice('namespaceLabels.'.length)] ?? '')
    : String(event[field as keyof NormalizedEvent] ?? '');
}

function copy(mentions: ResolvedMentions): ResolvedMentions {
  return { users: [...mentions.users], mobiles: [...mentions.mobiles], all: mentions.all };
}
