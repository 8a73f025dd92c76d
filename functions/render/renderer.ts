import type { Bundle } from '../bundle/index.ts';
import { assemble } from './assemble.ts';
import { ONE_PART, digestBase, digestPart, eventData } from './data.ts';
import { withFallback } from './fallback.ts';
import { fitEvent, showable } from './fit-event.ts';
import { fitContent } from './fit.ts';
import { createFormatters } from './format.ts';
import { inlineOnly } from './mentions.ts';
import { contentRoom, digestSummary, eventSummary, planFor, toMessage } from './message.ts';
import { mergeTallies, overflowContent, tallyOf } from './overflow.ts';
import { FIRST_PROBE, fitDigest } from './pack-digest.ts';
import type { Draft, Producer } from './producers.ts';
import { TemplateCompiler } from './receiver.ts';
import type { CompiledReceiver } from './receiver.ts';
import type { DigestPart, Renderer } from './types.ts';

/**
 * The renderer: compiles a bundle's templates once and runs each render through its phases — fallback to the
 * built-in template (fallback.ts), fitting an event (fit-event.ts) or packing a digest (pack-digest.ts), and
 * assembling the messages (assemble.ts, message.ts).
 */

/** Options of `compileRenderer`. */
export interface RendererOptions {
  /** The clock for relative ages (`it.fmt.ago`); default `Date.now`. */
  now?: () => number;
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
        const plan = planFor(receiver, first.msgtype, mentions, event);
        const content = fitEvent(receiver, producer, data, shown, first, contentRoom(receiver, first, plan));
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
        const plan = planFor(receiver, first.msgtype, mentions, events[0]);
        // The extra mention message takes a slot too, unless the digest is cut and leaves it to the summary.
        const whole = plan.extra ? Math.max(1, maxMessages - 1) : maxMessages;
        const limit = contentRoom(receiver, first, plan);
        const fitted = fitDigest(events.length, first, firstSize, render, limit, whole, maxMessages - 1);
        const kept = fitted.cut ? { ...plan, extra: undefined } : plan;
        return assemble(receiver, fitted.parts, kept, () => digestSummary(events), covers);
      });
    },

    renderingOf(name) {
      const receiver = receiverOf(name);
      const producers = [receiver.single, receiver.digest, receiver.fallbackSingle, receiver.fallbackDigest];
      const channel = receiver.channel?.key ?? 'wecom';
      return [
        channel,
        receiver.msgtype,
        receiver.maxBytes,
        receiver.perMinute,
        ...producers.map(producerId),
      ].join('/');
    },

    renderOverflow(name, events, mentions, parked) {
      const receiver = receiverOf(name);
      const own = tallyOf(events);
      const draft: Draft = {
        msgtype: receiver.msgtype,
        content: overflowContent(
          receiver.msgtype,
          parked ? mergeTallies(own, parked) : own,
          receiver.perMinute,
        ),
        body: undefined,
      };
      const plan = inlineOnly(planFor(receiver, receiver.msgtype, mentions));
      const content = fitContent(draft.content!, contentRoom(receiver, draft, plan));
      const covers = events.map((_, i) => i);
      return toMessage(receiver, draft, content, plan, covers);
    },
  };
}
