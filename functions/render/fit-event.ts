import type { ResolvedMentions } from '../rules/index.ts';
import { CONTENT_LIMITS } from '../channels/wecom/index.ts';
import { utf8Bytes } from './bytes.ts';
import { escapeMarkdown, rememberEscaped } from './escape.ts';
import { fitContent, truncationMarker } from './fit.ts';
import { contentRoom, planFor } from './message.ts';
import type { Draft, Producer } from './producers.ts';
import type { CompiledReceiver } from './receiver.ts';
import type { EventTemplateData } from './types.ts';

/** Fitting one event's message into its content limit: the message is cut, with a marker, before anything else. */

// Rounds of shrinking the event message before the fitter falls back to cutting the content's tail.
const MESSAGE_SHRINK_ROUNDS = 3;
// Stands in for a long message to measure the rest of a template's content.
const STAND_IN = 'x';
// No content of any msgtype can show more of a message than this.
const MAX_CONTENT_BYTES = Math.max(...Object.values(CONTENT_LIMITS));

/**
 * Fits one event: first by shortening its message (so header and footer lines survive, and the marker shows where
 * text is missing), then, if the template's bulk is elsewhere, by cutting the content's tail. `shown` is the
 * message as the first draft showed it (see `showable`).
 */
export function fitEvent(
  receiver: CompiledReceiver,
  producer: Producer,
  data: EventTemplateData,
  shown: string,
  first: Draft,
  limit: number,
): string | undefined {
  let draft = first;
  if (draft.content === undefined) return undefined;
  let over = utf8Bytes(draft.content) - limit;
  if (over <= 0) return draft.content;
  if (data.message) {
    // A cut message is escaped already (and escaping is idempotent); the event's own is escaped by the template.
    const shownBytes = utf8Bytes(shown === data.message ? receiver.escape(shown) : shown);
    const messageBytes = utf8Bytes(data.message);
    for (let round = 0; round < MESSAGE_SHRINK_ROUNDS && over > 0; round++) {
      const message = cutMessage(receiver, data.message, messageBytes, shownBytes - over);
      if (message === undefined) break;
      draft = producer.produce({ ...data, message });
      if (draft.content === undefined) return undefined;
      const bytes = utf8Bytes(draft.content);
      if (bytes <= limit) return draft.content;
      over += bytes - limit;
    }
  }
  return fitContent(draft.content!, limit);
}

/**
 * The message a template is first given: the event's own, or, when its escape alone is over every content limit,
 * that escape already cut to the room the rest of the content leaves (measured with a one-character stand-in), so
 * a multi-kilobyte stack trace is escaped once and only as far as it can be shown.
 */
export function showable(
  receiver: CompiledReceiver,
  producer: Producer,
  data: EventTemplateData,
  mentions: ResolvedMentions,
): string {
  const message = data.message;
  // A UTF-16 unit takes at most 3 bytes (a surrogate pair 4 for 2): most messages need no count.
  if (message.length * 3 <= MAX_CONTENT_BYTES) return message;
  const messageBytes = utf8Bytes(message);
  if (messageBytes <= MAX_CONTENT_BYTES) return message;
  const probe = producer.produce({ ...data, message: STAND_IN });
  const room =
    probe.content === undefined
      ? MAX_CONTENT_BYTES
      : contentRoom(receiver, probe, planFor(receiver, probe.msgtype, mentions)) -
        (utf8Bytes(probe.content) - STAND_IN.length);
  return (
    cutMessage(receiver, message, messageBytes, Math.min(room, MAX_CONTENT_BYTES)) ??
    cutMessage(receiver, message, messageBytes, MAX_CONTENT_BYTES) ??
    message
  );
}

/**
 * The message escaped and cut to `maxBytes` with the marker `…(truncated, N bytes)`, N being the bytes of the
 * event's message left out; undefined when even the marker does not fit. Escaping is idempotent, so the template
 * escaping the cut message again changes nothing (and, remembered, costs nothing).
 */
function cutMessage(
  receiver: CompiledReceiver,
  message: string,
  messageBytes: number,
  maxBytes: number,
): string | undefined {
  // Sized for the largest number it could carry, so the real marker (fewer or equal digits) always fits.
  const room = maxBytes - utf8Bytes(truncationMarker(messageBytes));
  if (room < 0) return undefined;
  const prefix = receiver.escapeWithin(message, room);
  if (prefix.end === message.length) return prefix.escaped;
  let { escaped, end } = prefix;
  // An intra-word `_` kept at the cut would start emphasis next to the marker (and escape differently again):
  // the cut moves before it, so the cut message is escaped for good.
  if (receiver.escape === escapeMarkdown && escaped.endsWith('_'))
    [escaped, end] = [escaped.slice(0, -1), end - 1];
  const cut = escaped + truncationMarker(messageBytes - utf8Bytes(message.slice(0, end)));
  if (receiver.escape === escapeMarkdown) rememberEscaped(cut);
  return cut;
}
