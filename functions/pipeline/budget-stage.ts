import type { ResolvedMentions } from '../rules/index.ts';
import type { Renderer } from '../render/index.ts';
import type { CollapsedEvent, PlannedMessage } from './types.ts';

/**
 * Stage 6: the per-robot budget. A robot takes at most `limit(receiver)` messages per invocation (WeCom blocks a
 * robot for a minute after 20). Past that, the rest are not dropped: their events are folded into one overflow
 * summary ("+N more events", counts by reason and namespace) that takes the last slot, so every event is still
 * accounted for in a message.
 */
export function applyBudget(
  planned: readonly PlannedMessage[],
  limit: (receiver: string) => number,
  renderer: Renderer,
): PlannedMessage[] {
  const byReceiver = new Map<string, PlannedMessage[]>();
  for (const item of planned) {
    const list = byReceiver.get(item.message.receiver);
    if (list) list.push(item);
    else byReceiver.set(item.message.receiver, [item]);
  }
  const out: PlannedMessage[] = [];
  for (const [receiver, messages] of byReceiver) {
    const budget = Math.max(1, limit(receiver));
    if (messages.length <= budget) {
      out.push(...messages);
      continue;
    }
    const kept = messages.slice(0, budget - 1);
    const covered = new Set<CollapsedEvent>(kept.flatMap((item) => item.events));
    const folded: CollapsedEvent[] = [];
    const mentions: ResolvedMentions = { users: [], mobiles: [], all: false };
    for (const item of messages.slice(budget - 1)) {
      for (const event of item.events) {
        if (covered.has(event)) continue;
        covered.add(event);
        folded.push(event);
      }
      for (const user of item.mentions.users) if (!mentions.users.includes(user)) mentions.users.push(user);
      for (const mobile of item.mentions.mobiles)
        if (!mentions.mobiles.includes(mobile)) mentions.mobiles.push(mobile);
      mentions.all ||= item.mentions.all;
    }
    out.push(...kept);
    if (folded.length > 0) {
      const message = renderer.renderOverflow(
        receiver,
        folded.map((item) => item.event),
        mentions,
      );
      out.push({ message, events: message.covers.map((index) => folded[index]!), mentions, overflow: true });
    }
  }
  return out;
}
