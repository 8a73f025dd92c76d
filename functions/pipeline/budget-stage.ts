import type { ParkedEvents } from '../deferral/index.ts';
import { mergeMentions } from '../rules/index.ts';
import type { ResolvedMentions } from '../rules/index.ts';
import type { Renderer } from '../render/index.ts';
import type { CollapsedEvent, Notice, PlannedMessage } from './types.ts';

/** A receiver's events that got no slot at all in this batch: they wait for its next free one. */
export interface Waiting {
  events: CollapsedEvent[];
  mentions: ResolvedMentions;
}

/**
 * The per-robot budget, planned against the slots the receiver actually holds. With k slots, the first k − 1
 * messages go out as rendered and one summary ("+N more events", counts by reason and namespace) covers everything
 * else: the messages past the cut, the notices the render stage `left` unrendered, and what earlier invocations
 * `parked` for this receiver. So every event is covered the moment the robot has one free slot, and a storm never
 * grows into a backlog of messages. With no slot, nothing is sent and the receiver's events are `waiting`.
 */
export function applyBudget(
  planned: readonly PlannedMessage[],
  left: readonly Notice[],
  slots: (receiver: string) => number,
  renderer: Renderer,
  parked: ReadonlyMap<string, ParkedEvents> = new Map(),
): { planned: PlannedMessage[]; waiting: Map<string, Waiting> } {
  const byReceiver = new Map<string, { messages: PlannedMessage[]; left: Notice[] }>();
  const of = (receiver: string) => {
    let entry = byReceiver.get(receiver);
    if (!entry) byReceiver.set(receiver, (entry = { messages: [], left: [] }));
    return entry;
  };
  for (const item of planned) of(item.message.receiver).messages.push(item);
  for (const notice of left) of(notice.receiver).left.push(notice);
  // A receiver may have nothing new but a pile: its summary is then all it sends.
  for (const receiver of parked.keys()) of(receiver);
  const out: PlannedMessage[] = [];
  const waiting = new Map<string, Waiting>();
  for (const [receiver, { messages, left: unrendered }] of byReceiver) {
    const held = slots(receiver);
    const pile = parked.get(receiver);
    if (held > 0 && messages.length <= held && unrendered.length === 0 && !pile) {
      out.push(...messages);
      continue;
    }
    const kept = messages.slice(0, Math.max(0, held - 1));
    const covered = new Set<CollapsedEvent>(kept.flatMap((item) => item.events));
    const folded: CollapsedEvent[] = [];
    const mentions: ResolvedMentions = { users: [], mobiles: [], all: false };
    // In notice order: the render stage leaves out only what follows every message it rendered for this robot.
    for (const item of [...messages.slice(kept.length), ...unrendered]) {
      for (const event of item.events) {
        if (covered.has(event)) continue;
        covered.add(event);
        folded.push(event);
      }
      mergeMentions(mentions, item.mentions);
    }
    if (held === 0) {
      waiting.set(receiver, { events: folded, mentions });
      continue;
    }
    out.push(...kept);
    if (pile) mergeMentions(mentions, pile.mentions);
    if (folded.length === 0 && !pile) continue;
    const message = renderer.renderOverflow(
      receiver,
      folded.map((item) => item.event),
      mentions,
      pile?.tally,
    );
    out.push({
      message,
      events: message.covers.map((index) => folded[index]!),
      mentions,
      overflow: true,
      ...(pile ? { parked: pile } : {}),
    });
  }
  return { planned: out, waiting };
}
