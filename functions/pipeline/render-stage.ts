import type { Renderer } from '../render/index.ts';
import type { Notice, PlannedMessage } from './types.ts';

/**
 * Stage 5: notices → messages, rendered and fitted to WeCom's byte limits by the renderer (a digest that does not
 * fit is split into `(i/n)` parts). Each message keeps the collapsed events it covers, so a failed delivery maps
 * back to exactly the queue messages behind it.
 */
export function renderNotices(notices: readonly Notice[], renderer: Renderer): PlannedMessage[] {
  const planned: PlannedMessage[] = [];
  for (const notice of notices) {
    const messages =
      notice.events.length === 1
        ? renderer.renderEvent(notice.receiver, notice.events[0]!.event, notice.mentions)
        : renderer.renderDigest(
            notice.receiver,
            notice.events.map((item) => item.event),
            notice.group ?? {},
            notice.mentions,
          );
    for (const message of messages) {
      planned.push({
        message,
        events: message.covers.map((index) => notice.events[index]!),
        mentions: notice.mentions,
        overflow: false,
      });
    }
  }
  return planned;
}
