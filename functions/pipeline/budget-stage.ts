import type { ResolvedMentions } from '../rules/index.ts';
import type { Renderer } from '../render/index.ts';
import type { CollapsedEvent, Notice, PlannedMessage } from './types.ts';

/**
 * Stage 6: the per-robot budget. A robot takes at most `budget(receiver)` messages per invocation (WeCom blocks a
 * robot for a minute after 20). Past that, the rest are not dropped: their events, and those of the notices the
 * render stage `left` unrendered, are folded into one overflow summary ("+N more events", counts by reason and
 * namespace) that takes the last slot, so every event is still accounted for in a message.
 */
export function applyBudget(
  planned: readonly PlannedMessage[],
  left: readonly Notice[],
  budget: (receiver: string) => number,
  renderer: Renderer,
): PlannedMessage[] {
  const byReceiver = new Map<string, { messages: PlannedMessage[]; left: Notice[] }>();
  const of = (receiver: string) => {
    let entry = byReceiver.get(receiver);
    if (!entry) byReceiver.set(receiver, (entry = { messages: [], left: [] }));
    return entry;
  };
  for (const item of planned) of(item.message.receiver).messages.push(item);
  for (const notice of left) of(notice.receiver).left.push(notice);
  const out: PlannedMessage[] = [];
  for (const [receiver, { messages, left: unrendered }] of byReceiver) {
    const slots = Math.max(1, budget(receiver));
    if (messages.length <= slots && unrendered.length === 0) {
      out.push(...messages);
      continue;
    }
    const kept = messages.slice(0, slots - 1);
    const covered = new Set<CollapsedEvent>(kept.flatMap((item) => item.events));
    const folded: CollapsedEvent[] = [];
    const mentions: ResolvedMentions = { users: [], mobiles: [], all: false };
    // In notice order: the render stage leaves out only what follows every message it rendered for this robot.
    for (const item of [...messages.slice(slots - 1), ...unrendered]) {
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
