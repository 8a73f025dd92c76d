import type { Eta } from 'eta';
import { CONTENT_LIMITS } from '../channels/wecom/index.ts';
import type { Bundle, Msgtype } from '../bundle/index.ts';
import { channelRendering } from './channel.ts';
import type { ChannelRendering } from './channel.ts';
import { BUILTIN_SOURCES, builtinNames } from './builtins.ts';
import { createEta, TEMPLATE_TIME_LIMIT_MS } from './compile.ts';
import { ESCAPERS, PREFIX_ESCAPERS, escapeJsonString } from './escape.ts';
import type { EscapedPrefix } from './escape.ts';
import { RenderError } from './errors.ts';
import { bodyProducer, contentProducer } from './producers.ts';
import type { Producer } from './producers.ts';
import type { WecomMsgtype } from './types.ts';

/** One receiver's compiled templates and limits. */
export interface CompiledReceiver {
  name: string;
  /** The WeCom msgtype of the content: the receiver's own, or the layout its channel's msgtype takes. */
  msgtype: Msgtype;
  /** How a receiver on another channel than WeCom group robots builds and fits its bodies. */
  channel: ChannelRendering | undefined;
  maxBytes: number | undefined;
  perMinute: number;
  /** The escaper for the receiver's msgtype (without JSON escaping), used to pre-escape text the fitter cuts. */
  escape: (text: string) => string;
  /** `escape` of the longest prefix of a text that fits a byte budget, for cutting a message to fit. */
  escapeWithin: (text: string, maxBytes: number) => EscapedPrefix;
  single: Producer;
  digest: Producer;
  /** The built-ins, used when the receiver's own template fails on an event. */
  fallbackSingle: Producer;
  fallbackDigest: Producer;
}

/** Compiles receivers' templates, each (template, msgtype, kind) once, sharing Eta instances. */
export class TemplateCompiler {
  private readonly etas = new Map<string, Eta>();
  private readonly producers = new Map<string, Producer>();

  constructor(private readonly bundle: Bundle) {}

  /** Compiles a receiver; throws `RenderError` for an unknown receiver or a template that does not compile. */
  receiver(name: string): CompiledReceiver {
    const receiver = this.bundle.receivers[name];
    if (!receiver || !Object.hasOwn(this.bundle.receivers, name)) {
      throw new RenderError(`unknown receiver ${JSON.stringify(name)}`, name, '');
    }
    const channel = channelRendering(receiver);
    const msgtype = channel?.style ?? (receiver.msgtype as Msgtype | undefined) ?? 'markdown';
    const escape = channel?.escape ?? ESCAPERS[msgtype];
    const style: Style = {
      msgtype,
      escape,
      key: channel ? `${channel.channel}/${channel.msgtype}` : msgtype,
    };
    const builtin = builtinNames(msgtype);
    const fallbackSingle = this.producer(name, builtin.single, style, false);
    const fallbackDigest = this.producer(name, builtin.digest, style, false);
    const body = receiver.bodyTemplate;
    return {
      name,
      msgtype,
      channel,
      maxBytes: receiver.maxBytes,
      perMinute: receiver.maxMessagesPerMinute,
      escape,
      escapeWithin: PREFIX_ESCAPERS[msgtype],
      single: body
        ? this.producer(name, body, style, true)
        : this.producer(name, receiver.template ?? builtin.single, style, false),
      digest: body
        ? this.producer(name, body, style, true)
        : this.producer(name, receiver.digestTemplate ?? builtin.digest, style, false),
      fallbackSingle,
      fallbackDigest,
    };
  }

  private producer(receiver: string, template: string, style: Style, isBody: boolean): Producer {
    const key = `${isBody ? 'body' : 'content'}\0${style.key}\0${template}`;
    let producer = this.producers.get(key);
    if (producer) return producer;
    const source = this.source(receiver, template, isBody);
    const eta = this.eta(style, isBody);
    const { msgtype } = style;
    const timeLimitMs = Object.hasOwn(BUILTIN_SOURCES, template) ? undefined : TEMPLATE_TIME_LIMIT_MS;
    try {
      producer = isBody
        ? bodyProducer(eta, template, source, timeLimitMs)
        : contentProducer(eta, template, source, msgtype, timeLimitMs);
    } catch (err) {
      throw new RenderError(
        `template ${JSON.stringify(template)} does not compile: ${(err as Error).message}`,
        receiver,
        template,
        { cause: err },
      );
    }
    this.producers.set(key, producer);
    return producer;
  }

  private source(receiver: string, template: string, isBody: boolean): string {
    if (Object.hasOwn(BUILTIN_SOURCES, template)) {
      if (isBody) {
        throw new RenderError(
          `${template} renders message content, not a whole JSON body; use it as "template"`,
          receiver,
          template,
        );
      }
      return BUILTIN_SOURCES[template as keyof typeof BUILTIN_SOURCES];
    }
    const source = Object.hasOwn(this.bundle.templates, template)
      ? this.bundle.templates[template]
      : undefined;
    if (typeof source === 'string') return source;
    throw new RenderError(
      source === undefined
        ? `unknown template ${JSON.stringify(template)}`
        : `template ${JSON.stringify(template)} is a file reference that was not inlined (load the bundle with loadBundle)`,
      receiver,
      template,
    );
  }

  private eta(style: Style, isBody: boolean): Eta {
    const key = `${isBody ? 'body' : 'content'}\0${style.key}`;
    let eta = this.etas.get(key);
    if (!eta) {
      const { escape } = style;
      // A body template's values are escaped for the content's markup first, then for the JSON string they sit in.
      eta = createEta(isBody ? (text) => escapeJsonString(escape(text)) : escape);
      this.etas.set(key, eta);
    }
    return eta;
  }
}

/** How a receiver's content is escaped and laid out; `key` tells apart channels that share a WeCom layout. */
interface Style {
  msgtype: Msgtype;
  escape: (text: string) => string;
  key: string;
}

/**
 * The content limit for a msgtype at a receiver: WeCom's, lowered by `maxBytes`; Infinity without content. Another
 * channel's is the room its limit leaves for content.
 */
export function contentLimit(receiver: CompiledReceiver, msgtype: WecomMsgtype): number {
  if (receiver.channel) return receiver.channel.room;
  const documented = (CONTENT_LIMITS as Partial<Record<WecomMsgtype, number>>)[msgtype];
  if (documented === undefined) return Number.POSITIVE_INFINITY;
  return Math.min(documented, receiver.maxBytes ?? documented);
}
