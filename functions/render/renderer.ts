import type { NormalizedEvent } from '../../contracts/index.ts';
import type { Bundle } from '../rules/index.ts';
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
const MARKER_START = truncationMarker(0).slice(0, 11);

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

  return {
    renderEvent(name, event, mentions) {
      const receiver = receiverOf(name);
      const data = eventData(event, fmt);
      return withFallback(receiver.single, receiver.fallbackSingle, (producer) => {
        const first = producer.produce(data);
        const plan = planMentions(first.msgtype, mentions, contentLimit(receiver, first.msgtype));
        const content = fitEvent(receiver, producer, data, first, limitWith(receiver, first, plan));
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
 * text is missing), then, if the template's bulk is elsewhere, by cutting the content's tail.
 */
function fitEvent(
  receiver: CompiledReceiver,
  producer: Producer,
  data: EventTemplateData,
  first: Draft,
  limit: number,
): string | undefined {
  let draft = first;
  if (draft.content === undefined) return undefined;
  let over = utf8Bytes(draft.content) - limit;
  if (over <= 0) return draft.content;
  if (data.message) {
    // Escaping is idempotent, so the template escaping the pre-escaped, cut message again changes nothing.
    const escaped = receiver.escape(data.message);
    const escapedBytes = utf8Bytes(escaped);
    for (let round = 0; round < MESSAGE_SHRINK_ROUNDS && over > 0; round++) {
      const message = truncateToBytes(escaped, escapedBytes - over);
      if (message === undefined) break;
      if (
        receiver.escape === escapeMarkdown &&
        message.charAt(message.lastIndexOf(MARKER_START) - 1) !== '_'
      ) {
        rememberEscaped(message);
      }
      draft = producer.produce({ ...data, message });
      if (draft.content === undefined) return undefined;
      const bytes = utf8Bytes(draft.content);
      if (bytes <= limit) return draft.content;
      over += bytes - limit;
    }
  }
  return fitContent(draft.content!, limit);
}

/** The last resort: cut the tail, keeping the header lines, so nothing ever leaves over its limit. */
function fitContent(content: string, limit: number): string {
  return truncateToBytes(content, limit, true) ?? '';
}

/**
 * Fits a digest: whole if it fits, else split at event boundaries into the fewest `(i/n)` parts a greedy packing
 * finds, each part as large as fits. A part's size is searched outward from the previous part's (parts of one
 * digest tend to be alike), so a part costs a few renders of about its own size, never of the whole rest: a
 * 2,000-event digest would otherwise re-render every remaining event for each of its parts.
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
  // Measured with the widest label any part could carry, so the real labels only make parts smaller.
  const widestCount = Math.min(n, maxParts);
  const widest: DigestPart = {
    index: widestCount,
    count: widestCount,
    label: partLabel(widestCount, widestCount),
  };
  const ranges: Array<[number, number]> = [];
  // The first guess assumes events of even size; later guesses are the previous part's size. The first part holds
  // fewer than the `size` events that overflowed one message (a label only adds bytes).
  let guess = Math.floor((size * limit) / bytes);
  let max = Math.max(1, size - 1);
  let start = 0;
  while (start < n && ranges.length < maxParts) {
    const size = largestFit(Math.min(max, n - start), guess, (size) => {
      const content = render(start, start + size, widest).content;
      return content !== undefined && utf8Bytes(withLabel(content, widest.label)) <= limit;
    });
    ranges.push([start, start + size]);
    start += size;
    guess = size;
    max = n;
  }
  const cut = start < n;
  if (cut) ranges.length = Math.min(ranges.length, Math.max(0, cutParts));
  const parts = ranges.map(([from, to], i): Fitted => {
    const part =
      ranges.length === 1 && !cut
        ? ONE_PART
        : { index: i + 1, count: ranges.length, label: partLabel(i + 1, ranges.length) };
    const draft = render(from, to, part);
    const content =
      draft.content === undefined ? undefined : fitContent(withLabel(draft.content, part.label), limit);
    return { draft, content, covers: all.slice(from, to) };
  });
  return { parts, cut };
}

/**
 * The largest size in 1..`max` that `fits`, given that fitting is monotonic (fewer events never take more
 * bytes); 1 when even one does not fit (that event is cut to fit later). Probes `guess`, then gallops away from
 * it with doubling steps until it brackets the answer, then bisects: two probes when the guess is right.
 */
function largestFit(max: number, guess: number, fits: (size: number) => boolean): number {
  let lo = 0; // the largest size known to fit (0: none yet)
  let hi = max + 1; // the smallest size known not to fit
  let probe = Math.min(Math.max(guess, 1), max);
  let step = 1;
  if (fits(probe)) {
    lo = probe;
    while (lo < max) {
      probe = Math.min(lo + step, max);
      if (!fits(probe)) {
        hi = probe;
        break;
      }
      lo = probe;
      step *= 2;
    }
  } else {
    hi = probe;
    while (hi > 1) {
      probe = Math.max(hi - step, 1);
      if (fits(probe)) {
        lo = probe;
        break;
      }
      hi = probe;
      step *= 2;
    }
  }
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (fits(mid)) lo = mid;
    else hi = mid;
  }
  return Math.max(lo, 1);
}

function partLabel(index: number, count: number): string {
  return `(${index}/${count})`;
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
