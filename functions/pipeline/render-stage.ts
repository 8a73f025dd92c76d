import type { Renderer } from '../render/index.ts';
import type { Notice, PlannedMessage } from './types.ts';

/**
 * Stage 5: notices → messages, rendered and fitted to WeCom's byte limits by the renderer (a digest that does not
 * fit is split into `(i/n)` parts). Each message keeps the collapsed events it covers, so a failed delivery maps
 * back to exactly the queue messages behind it.
 *
 * Rendering stays within each robot's budget (`budget(receiver)` messages): a digest gets the slots its robot has
 * left, and what does not get a slot is not rendered but returned in `left` (in notice order), for the budget
 * stage to fold into its overflow summary. A storm's 2,000-event digest thus costs the parts the robot can take,
 * not the hundred it cannot.
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
  for (const notice of notices) {
    const slots = budget(notice.receiver) - (used.get(notice.receiver) ?? 0);
    if (slots <= 0 || exhausted.has(notice.receiver)) {
      left.push(notice);
      continue;
    }
    const messages =
      notice.events.length === 1
        ? renderer.renderEvent(notice.receiver, notice.events[0]!.event, notice.mentions)
        : renderer.renderDigest(
            notice.receiver,
            notice.events.map((item) => item.event),
            notice.group ?? {},
            notice.mentions,
            { maxMessages: slots },
          );
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
