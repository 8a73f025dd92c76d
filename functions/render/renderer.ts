import type { NormalizedEvent } from '../../contracts/index.ts';
import { CONTENT_LIMITS } from '../channels/wecom/limits.ts';
import type { ResolvedMentions } from '../rules/index.ts';
import type { Bundle } from '../bundle/index.ts';
import { utf8Bytes } from './bytes.ts';
import { escapeMarkdown, escapeText, rememberEscaped } from './escape.ts';
import { truncateToBytes, truncationMarker } from './fit.ts';
import { createFormatters } from './format.ts';
import { ONE_PART, digestBase, digestPart, eventData } from './data.ts';
import { inlineOnly, mergeLists, planMentions } from './mentions.ts';
import type { MentionLists, MentionPlan } from './mentions.ts';
import { overflowContent } from './overflow.ts';
import type { Draft, Producer } from './producers.ts';
import { TemplateCompiler, contentLimit } from './receiver.ts';
import type { CompiledReceiver } from './receiver.ts';
import type { DigestPart, EventTemplateData, RenderedMessage, Renderer } from './types.ts';

/** Options of `compileRenderer`. */
export interface RendererOptions {
  /** The clock for relative ages (`it.fmt.ago`); default `Date.now`. */
  now?: () => number;
}

// Rounds of shrinking the event message before the fitter falls back to cutting the content's tail.
const MESSAGE_SHRINK_ROUNDS = 3;
const TEXT_LIMIT = 2048;
// Events a digest's first render holds: about what one message of the built-in markdown digest takes.
const FIRST_PROBE = 16;
// Stands in for a long message to measure the rest of a template's content.
const STAND_IN = 'x';
// No content of any msgtype can show more of a message than this.
const MAX_CONTENT_BYTES = Math.max(...Object.values(CONTENT_LIMITS));

/** A message's content after fitting, with the draft it came from. */
interface Fitted {
  draft: Draft;
  content: string | undefined;
  covers: number[];
}

/**
 * Compiles every receiver's templates once for a bundle (never per event) and returns the renderer. Throws
 * `RenderError` when a template does not compile; validation normally catches that first.
 */
export function compileRenderer(bundle: Bundle, options: RendererOptions = {}): Renderer {
  const fmt = createFormatters(bundle.timezone, options.now ?? Date.now);
  const compiler = new TemplateCompiler(bundle);
  const receivers = new Map<string, CompiledReceiver>();
  for (const name of Object.keys(bundle.receivers)) receivers.set(name, compiler.receiver(name));

  function receiverOf(name: string): CompiledReceiver {
    return receivers.get(name) ?? compiler.receiver(name);
  }

  // Producers are shared by receivers that use the same template for the same msgtype (see TemplateCompiler).
  const producerIds = new Map<Producer, number>();
  const producerId = (producer: Producer) => {
    let id = producerIds.get(producer);
    if (id === undefined) producerIds.set(producer, (id = producerIds.size));
    return id;
  };

  return {
    renderEvent(name, event, mentions) {
      const receiver = receiverOf(name);
      const data = eventData(event, fmt);
      return withFallback(receiver.single, receiver.fallbackSingle, (producer) => {
        const shown = showable(receiver, producer, data, mentions);
        const first = producer.produce(shown === data.message ? data : { ...data, message: shown });
        const plan = planMentions(first.msgtype, mentions, contentLimit(receiver, first.msgtype));
        const content = fitEvent(receiver, producer, data, shown, first, limitWith(receiver, first, plan));
        return assemble(
          receiver,
          [{ draft: first, content, covers: [0] }],
          plan,
          () => eventSummary(event),
          [0],
        );
      });
    },

    renderDigest(name, events, group, mentions, options = {}) {
      const receiver = receiverOf(name);
      const maxMessages = Math.max(1, options.maxMessages ?? Number.POSITIVE_INFINITY);
      const base = digestBase(events, group, fmt);
      const covers = events.map((_, i) => i);
      return withFallback(receiver.digest, receiver.fallbackDigest, (producer) => {
        const render = (start: number, end: number, part: DigestPart) =>
          producer.produce(digestPart(base, start, end, part));
        const firstSize = Math.min(events.length, FIRST_PROBE);
        const first = render(0, firstSize, ONE_PART);
        const plan = planMentions(first.msgtype, mentions, contentLimit(receiver, first.msgtype));
        // The extra mention message takes a slot too, unless the digest is cut and leaves it to the summary.
        const whole = plan.extra ? Math.max(1, maxMessages - 1) : maxMessages;
        const limit = limitWith(receiver, first, plan);
        const fitted = fitDigest(events.length, first, firstSize, render, limit, whole, maxMessages - 1);
        const kept = fitted.cut ? { ...plan, extra: undefined } : plan;
        return assemble(receiver, fitted.parts, kept, () => digestSummary(events), covers);
      });
    },

    renderingOf(name) {
      const receiver = receiverOf(name);
      const producers = [receiver.single, receiver.digest, receiver.fallbackSingle, receiver.fallbackDigest];
      return [receiver.msgtype, receiver.maxBytes, receiver.perMinute, ...producers.map(producerId)].join(
        '/',
      );
    },

    renderOverflow(name, events, mentions) {
      const receiver = receiverOf(name);
      const draft: Draft = {
        msgtype: receiver.msgtype,
        content: overflowContent(receiver.msgtype, events, receiver.perMinute),
        body: undefined,
      };
      const plan = inlineOnly(
        planMentions(receiver.msgtype, mentions, contentLimit(receiver, receiver.msgtype)),
      );
      const content = fitContent(draft.content!, limitWith(receiver, draft, plan));
      const covers = events.map((_, i) => i);
      return toMessage(receiver, draft, content, plan, covers);
    },
  };
}

/** Renders with the receiver's template; if that throws on this event, renders with the built-in and says why. */
function withFallback(
  producer: Producer,
  fallback: Producer,
  render: (producer: Producer) => RenderedMessage[],
): RenderedMessage[] {
  if (producer === fallback) return render(producer);
  try {
    return render(producer);
  } catch (err) {
    const templateError = `template ${JSON.stringify(producer.template)} failed: ${(err as Error).message}`;
    return render(fallback).map((message) => ({ ...message, templateError }));
  }
}

function limitWith(receiver: CompiledReceiver, draft: Draft, plan: MentionPlan): number {
  return contentLimit(receiver, draft.msgtype) - utf8Bytes(plan.suffix);
}

/**
 * Fits one event: first by shortening its message (so header and footer lines survive, and the marker shows where
 * text is missing), then, if the template's bulk is elsewhere, by cutting the content's tail. `shown` is the
 * message as the first draft showed it (see `showable`).
 */
function fitEvent(
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
function showable(
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
      : limitWith(
          receiver,
          probe,
          planMentions(probe.msgtype, mentions, contentLimit(receiver, probe.msgtype)),
        ) -
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

/** The last resort: cut the tail, keeping the header lines, so nothing ever leaves over its limit. */
function fitContent(content: string, limit: number): string {
  return truncateToBytes(content, limit, true) ?? '';
}

/**
 * Fits a digest: whole if it fits, else split at event boundaries into the fewest `(i/n)` parts a greedy packing
 * finds, each part as large as fits. Work follows what is shown, not the digest's length: the first render holds
 * `firstSize` events and grows only while it fits, and each part is found by a few renders of about its own size
 * (see `pack`), never by re-rendering every remaining event.
 *
 * A digest that needs more than `maxParts` parts is cut: only its first `cutParts` parts are made, and the
 * remaining events are left out of every part's `covers`, rather than rendering parts a robot's budget would throw
 * away.
 */
function fitDigest(
  n: number,
  first: Draft,
  firstSize: number,
  render: (start: number, end: number, part: DigestPart) => Draft,
  limit: number,
  maxParts: number,
  cutParts: number,
): { parts: Fitted[]; cut: boolean } {
  const all = Array.from({ length: n }, (_, i) => i);
  // Grows the first events until they are the whole digest or no longer fit one message: a storm's digest is
  // known not to fit after a few of its events, without rendering all of them.
  let draft = first;
  let size = firstSize;
  let bytes = draft.content === undefined ? 0 : utf8Bytes(draft.content);
  while (draft.content !== undefined && size < n && bytes <= limit) {
    size = Math.min(n, Math.max(size + 1, Math.ceil((size * limit * 1.25) / bytes)));
    draft = render(0, size, ONE_PART);
    bytes = draft.content === undefined ? 0 : utf8Bytes(draft.content);
  }
  if (draft.content === undefined) {
    const whole = size === n ? draft : render(0, n, ONE_PART);
    return { parts: [{ draft: whole, content: undefined, covers: all }], cut: false };
  }
  if ((size === n && bytes <= limit) || n <= 1) {
    return { parts: [{ draft, content: fitContent(draft.content, limit), covers: all }], cut: false };
  }
  // The first part holds fewer than the `size` events that overflowed one message (a label only adds bytes); the
  // first guess assumes events of even size.
  const firstPart = {
    guess: Math.floor((size * limit) / bytes),
    max: Math.max(1, size - 1),
    perEvent: bytes / size,
  };
  // Measured with the widest label any part could carry, so the real labels only make parts smaller. (As wide
  // as `n` parts whatever the limit, so a digest that fits its limit is the same as without one.)
  const widest = partOf(n, n);
  // The render of events `start` to `end` as `part`, and its size as sent (infinite without content to fit).
  const measure = (start: number, end: number, part: DigestPart): Measured => {
    const draft = render(start, end, part);
    const content = draft.content;
    return { draft, bytes: content === undefined ? Infinity : utf8Bytes(withLabel(content, part.label)) };
  };
  const toParts = (packed: Packed, label: (index: number) => DigestPart) =>
    packed.ranges.map(([from, to], i): Fitted => {
      const part = label(i + 1);
      const draft = packed.drafts[i] ?? render(from, to, part);
      const content =
        draft.content === undefined ? undefined : fitContent(withLabel(draft.content, part.label), limit);
      return { draft, content, covers: all.slice(from, to) };
    });

  // A storm's digest, clearly too long for the parts allowed, is packed with the labels its parts will carry
  // when cut, so each part's last fitting render is the message itself. If it turns out to fit after all, it is
  // packed again below.
  if (cutParts >= 1 && (n / size) * (bytes / limit) > maxParts) {
    const label = (index: number) => partOf(index, cutParts);
    const packed = pack(n, measure, limit, label, cutParts, firstPart);
    const end = packed.ranges.at(-1)![1];
    const rest = Math.min(n - end, 2 * (end - packed.ranges.at(-1)![0]) + 1);
    // Cut when the parts allowed beyond these cannot take the rest (a prefix of it that does not fit shows that).
    if (end < n && (maxParts === cutParts || measure(end, end + rest, widest).bytes > limit)) {
      return { parts: toParts(packed, label), cut: true };
    }
  }

  const packed = pack(n, measure, limit, () => widest, maxParts, firstPart);
  const cut = packed.ranges.at(-1)![1] < n;
  if (cut) packed.ranges.length = Math.min(packed.ranges.length, Math.max(0, cutParts));
  const count = packed.ranges.length;
  // Measured with the widest label, so these drafts are not the messages: each part is rendered with its own.
  packed.drafts = [];
  return {
    parts: toParts(packed, (index) => (count === 1 && !cut ? ONE_PART : partOf(index, count))),
    cut,
  };
}

/** Parts packed from the digest's first event: event ranges, and each range's fitting render where one was made. */
interface Packed {
  ranges: Array<[number, number]>;
  drafts: Array<Draft | undefined>;
}

/** A render and its size as sent. */
interface Measured {
  draft: Draft;
  bytes: number;
}

/**
 * Packs events greedily into at most `maxCount` parts, each as large as fits when measured with `label(i)`. A
 * part's search starts from the previous part's size and bytes per event (parts of one digest tend to be alike).
 */
function pack(
  n: number,
  measure: (start: number, end: number, part: DigestPart) => Measured,
  limit: number,
  label: (index: number) => DigestPart,
  maxCount: number,
  first: { guess: number; max: number; perEvent: number },
): Packed {
  const packed: Packed = { ranges: [], drafts: [] };
  let { guess, max, perEvent } = first;
  for (let start = 0; start < n && packed.ranges.length < maxCount;) {
    const part = label(packed.ranges.length + 1);
    let best: Measured | undefined;
    let bestSize = 0;
    const size = largestFit(Math.min(max, n - start), guess, perEvent, limit, (size) => {
      const measured = measure(start, start + size, part);
      if (measured.bytes <= limit && size > bestSize) [best, bestSize] = [measured, size];
      return measured.bytes;
    });
    packed.ranges.push([start, start + size]);
    packed.drafts.push(best && size === bestSize ? best.draft : undefined);
    if (best) perEvent = best.bytes / bestSize;
    start += size;
    guess = size;
    max = n;
  }
  return packed;
}

/**
 * The largest size in 1..`max` whose render takes at most `limit` bytes, given that bytes grow with size; 1 when
 * even one event is too large (it is cut to fit later). Each probe aims at the limit from the last one's bytes
 * at `perEvent` bytes an event, within the sizes known to fit and not to: usually the guess and its neighbour.
 * After a few probes it bisects, so an odd digest costs a logarithm, not a walk.
 */
function largestFit(
  max: number,
  guess: number,
  perEvent: number,
  limit: number,
  bytesOf: (size: number) => number,
): number {
  let lo = 0; // the largest size known to fit (0: none yet)
  let hi = max + 1; // the smallest size known not to fit
  let probe = Math.min(Math.max(guess, 1), max);
  for (let round = 0; ; round++) {
    const bytes = bytesOf(probe);
    if (bytes <= limit) lo = probe;
    else hi = probe;
    if (hi - lo <= 1) return Math.max(lo, 1);
    const aimed =
      round < 3 && Number.isFinite(bytes) ? probe + Math.floor((limit - bytes) / perEvent) : (lo + hi) >>> 1;
    probe = Math.min(Math.max(aimed, lo + 1), hi - 1);
  }
}

function partOf(index: number, count: number): DigestPart {
  return { index, count, label: `(${index}/${count})` };
}

/** A part must say which part it is even when the template does not print `it.part.label`. */
function withLabel(content: string, label: string): string {
  return label === '' || content.includes(label) ? content : `${content}\n${label}`;
}

/** The fitted messages, mentions attached to the first, plus the extra `text` message when the plan needs one. */
function assemble(
  receiver: CompiledReceiver,
  parts: Fitted[],
  plan: MentionPlan,
  summary: () => string,
  covers: number[],
): RenderedMessage[] {
  const messages = parts.map((part, i) =>
    toMessage(receiver, part.draft, part.content, i === 0 ? plan : undefined, part.covers),
  );
  if (plan.extra) messages.push(mentionMessage(receiver, plan.extra, summary(), covers));
  return messages;
}

function toMessage(
  receiver: CompiledReceiver,
  draft: Draft,
  content: string | undefined,
  plan: MentionPlan | undefined,
  covers: number[],
): RenderedMessage {
  const msgtype = draft.msgtype;
  if (content === undefined) {
    const body = draft.body!;
    return { receiver: receiver.name, msgtype, body, bytes: utf8Bytes(JSON.stringify(body)), covers };
  }
  const full = plan ? content + plan.suffix : content;
  const given = draft.body?.[msgtype] as Record<string, unknown> | undefined;
  const inner: Record<string, unknown> = { ...given, content: full };
  if (plan?.lists) Object.assign(inner, given ? mergeLists(given, plan.lists) : plan.lists);
  const body = draft.body ? { ...draft.body, [msgtype]: inner } : { msgtype, [msgtype]: inner };
  return { receiver: receiver.name, msgtype, body, bytes: utf8Bytes(full), covers };
}

/** The short `text` message that carries mentions the main message cannot; never empty (44004). */
function mentionMessage(
  receiver: CompiledReceiver,
  lists: MentionLists,
  summary: string,
  covers: number[],
): RenderedMessage {
  const limit = Math.min(TEXT_LIMIT, receiver.maxBytes ?? TEXT_LIMIT);
  const content = fitContent(escapeText(summary), limit) || '⚠';
  return {
    receiver: receiver.name,
    msgtype: 'text',
    body: { msgtype: 'text', text: { content, ...lists } },
    bytes: utf8Bytes(content),
    covers,
  };
}

function eventSummary(event: NormalizedEvent): string {
  const where = event.namespace ? `${event.namespace}/${event.name}` : event.name;
  return `${icon(event.type)} ${event.reason || event.type} in ${event.kind} ${where}${event.cluster ? ` (${event.cluster})` : ''}`;
}

function digestSummary(events: readonly NormalizedEvent[]): string {
  const reasons = [...new Set(events.map((e) => e.reason).filter(Boolean))];
  const clusters = [...new Set(events.map((e) => e.cluster).filter(Boolean))];
  const type = events.some((e) => e.type === 'Warning') ? 'Warning' : 'Normal';
  const listed = reasons.slice(0, 5).join(', ') + (reasons.length > 5 ? ', …' : '');
  return `${icon(type)} ${clusters.length > 0 ? `${clusters.join(', ')}: ` : ''}${events.length} event${events.length === 1 ? '' : 's'}${listed ? ` (${listed})` : ''}`;
}

function icon(type: string): string {
  return type === 'Warning' ? '⚠' : 'ℹ';
}
