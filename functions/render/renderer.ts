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
        return assemble(receiver, [{ draft: first, content, covers: [0] }], plan, eventSummary(event), [0]);
      });
    },

    renderDigest(name, events, group, mentions) {
      const receiver = receiverOf(name);
      const base = digestBase(events, group, fmt);
      const covers = events.map((_, i) => i);
      return withFallback(receiver.digest, receiver.fallbackDigest, (producer) => {
        const render = (start: number, end: number, part: DigestPart) =>
          producer.produce(digestPart(base, start, end, part));
        const first = render(0, events.length, ONE_PART);
        const plan = planMentions(first.msgtype, mentions, contentLimit(receiver, first.msgtype));
        const parts = fitDigest(events.length, first, render, limitWith(receiver, first, plan));
        return assemble(receiver, parts, plan, digestSummary(base.all), covers);
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
 * finds, each part as large as fits (binary search, so a 50-event digest costs a handful of renders).
 */
function fitDigest(
  n: number,
  first: Draft,
  render: (start: number, end: number, part: DigestPart) => Draft,
  limit: number,
): Fitted[] {
  const all = Array.from({ length: n }, (_, i) => i);
  if (first.content === undefined) return [{ draft: first, content: undefined, covers: all }];
  if (utf8Bytes(first.content) <= limit || n <= 1) {
    return [{ draft: first, content: fitContent(first.content, limit), covers: all }];
  }
  // Measured with the widest label any part could carry, so the real labels only make parts smaller.
  const widest: DigestPart = { index: n, count: n, label: partLabel(n, n) };
  const fits = (start: number, end: number) => {
    const content = render(start, end, widest).content;
    return content !== undefined && utf8Bytes(withLabel(content, widest.label)) <= limit;
  };
  const ranges: Array<[number, number]> = [];
  for (let start = 0; start < n;) {
    let size = 1;
    if (start > 0 && fits(start, n)) size = n - start;
    else if (fits(start, start + 1)) {
      let lo = 1;
      let hi = n - start - 1;
      // Invariant: `lo` events fit; `n - start` (all the rest) do not.
      while (lo < hi) {
        const mid = Math.ceil((lo + hi) / 2);
        if (fits(start, start + mid)) lo = mid;
        else hi = mid - 1;
      }
      size = lo;
    }
    ranges.push([start, start + size]);
    start += size;
  }
  return ranges.map(([start, end], i) => {
    const part =
      ranges.length === 1
        ? ONE_PART
        : { index: i + 1, count: ranges.length, label: partLabel(i + 1, ranges.length) };
    const draft = render(start, end, part);
    const content =
      draft.content === undefined ? undefined : fitContent(withLabel(draft.content, part.label), limit);
    return { draft, content, covers: all.slice(start, end) };
  });
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
  summary: string,
  covers: number[],
): RenderedMessage[] {
  const messages = parts.map((part, i) =>
    toMessage(receiver, part.draft, part.content, i === 0 ? plan : undefined, part.covers),
  );
  if (plan.extra) messages.push(mentionMessage(receiver, plan.extra, summary, covers));
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

function digestSummary(events: readonly EventTemplateData[]): string {
  const reasons = [...new Set(events.map((e) => e.reason).filter(Boolean))];
  const clusters = [...new Set(events.map((e) => e.cluster).filter(Boolean))];
  const type = events.some((e) => e.type === 'Warning') ? 'Warning' : 'Normal';
  const listed = reasons.slice(0, 5).join(', ') + (reasons.length > 5 ? ', …' : '');
  return `${icon(type)} ${clusters.length > 0 ? `${clusters.join(', ')}: ` : ''}${events.length} event${events.length === 1 ? '' : 's'}${listed ? ` (${listed})` : ''}`;
}

function icon(type: string): string {
  return type === 'Warning' ? '⚠' : 'ℹ';
}
