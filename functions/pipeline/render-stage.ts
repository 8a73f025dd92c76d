import type { RenderedMessage, Renderer } from '../render/index.ts';
import type { CollapsedEvent, Notice, PlannedMessage } from './types.ts';

/**
 * Stage 5: notices → messages, rendered and fitted to WeCom's byte limits by the renderer (a digest that does not
 * fit is split into `(i/n)` parts). Each message keeps the collapsed events it covers, so a failed delivery maps
 * back to exactly the queue messages behind it.
 *
 * Rendering stays within each robot's budget (`budget(receiver)` messages): a digest gets the slots its robot has
 * left, and what does not get a slot is not rendered but returned in `left` (in notice order), for the budget
 * stage to fold into its overflow summary. A storm's 2,000-event digest thus costs the parts the robot can take,
 * not the hundred it cannot.
 *
 * Several routes often send the same digest to different robots (one storm matching many teams' routes). A notice
 * whose receiver renders alike (`renderer.renderingOf`), with the same events, group, mentions and slots as one
 * rendered before in this batch, reuses those messages under its own receiver's name instead of rendering again;
 * their ages (`3m ago`) are as of the first render, a moment earlier.
 */
export function renderNotices(
  notices: readonly Notice[],
  renderer: Renderer,
  budget: (receiver: string) => number,
): { planned: PlannedMessage[]; left: Notice[] } {
  const planned: PlannedMessage[] = [];
  const left: Notice[] = [];
  const used = new Map<string, number>();
  // Receivers whose budget a cut digest exhausted: everything after the cut goes to the summary.
  const exhausted = new Set<string>();
  const rendered = new Map<string, RenderedMessage[]>();
  const eventIds = new Map<CollapsedEvent, number>();
  for (const notice of notices) {
    const slots = budget(notice.receiver) - (used.get(notice.receiver) ?? 0);
    if (slots <= 0 || exhausted.has(notice.receiver)) {
      left.push(notice);
      continue;
    }
    const key = renderKey(notice, slots, renderer.renderingOf(notice.receiver), eventIds);
    let messages = rendered.get(key);
    if (messages) {
      messages = messages.map((message) => ({ ...message, receiver: notice.receiver }));
    } else {
      messages =
        notice.events.length === 1
          ? renderer.renderEvent(notice.receiver, notice.events[0]!.event, notice.mentions)
          : renderer.renderDigest(
              notice.receiver,
              notice.events.map((item) => item.event),
              notice.group ?? {},
              notice.mentions,
              { maxMessages: slots },
            );
      rendered.set(key, messages);
    }
    const covered = new Set<number>();
    for (const message of messages) {
      for (const index of message.covers) covered.add(index);
      planned.push({
        message,
        events: message.covers.map((index) => notice.events[index]!),
        mentions: notice.mentions,
        overflow: false,
      });
    }
    used.set(notice.receiver, (used.get(notice.receiver) ?? 0) + messages.length);
    if (covered.size < notice.events.length) {
      left.push({ ...notice, events: notice.events.filter((_, i) => !covered.has(i)) });
      exhausted.add(notice.receiver);
    }
  }
  return { planned, left };
}

/** What a notice's messages depend on: how its receiver renders, its events (by identity), group, mentions, slots. */
function renderKey(
  notice: Notice,
  slots: number,
  rendering: string,
  eventIds: Map<CollapsedEvent, number>,
): string {
  let events = '';
  for (const event of notice.events) {
    let id = eventIds.get(event);
    if (id === undefined) eventIds.set(event, (id = eventIds.size));
    events += `${id},`;
  }
  const { users, mobiles, all } = notice.mentions;
  return JSON.stringify([rendering, slots, notice.group ?? null, users, mobiles, all, events]);
}
