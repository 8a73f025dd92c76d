import type { NormalizedEvent } from '../../contracts/index.ts';
import type { Channel, ReceiverMsgtype } from '../bundle/index.ts';
import type { ResolvedMentions } from '../rules/index.ts';
import type { Formatters } from './format.ts';
import type { EventTally } from './overflow.ts';

/** Every msgtype the robot accepts (docs/wecom.md, Message types); full-body templates may produce any of them. */
export const WECOM_MSGTYPES = [
  'text',
  'markdown',
  'markdown_v2',
  'image',
  'news',
  'file',
  'voice',
  'template_card',
] as const;
export type WecomMsgtype = (typeof WECOM_MSGTYPES)[number];

/** One message ready for the WeCom client (or, with `channel`, for that channel's client). */
export interface RenderedMessage {
  receiver: string;
  /** The WeCom msgtype; for another channel, the WeCom layout its content took. */
  msgtype: WecomMsgtype;
  /** Set for channels besides WeCom group robots: which, and the msgtype of `body` there. */
  channel?: { name: Exclude<Channel, 'wecom'>; msgtype: ReceiverMsgtype };
  /** The exact JSON body to POST, as an object (serialized at send time; signed by the client where needed). */
  body: Record<string, unknown>;
  /**
   * UTF-8 bytes of the content (of the whole body for msgtypes without content); for another channel, what its
   * limit counts (the request body for DingTalk, Feishu and webhooks, the content for WeCom applications).
   */
  bytes: number;
  /** Indexes into the events given to the render call that this message tells about. */
  covers: number[];
  /** Set when the receiver's own template failed (threw, or ran past its time limit) and the built-in one was used. */
  templateError?: string;
  /** The name of the template that failed, with `templateError`. */
  failedTemplate?: string;
}

/** `Normal` → `info` (green), `Warning` → `warning` (orange), anything else → `comment` (grey). */
export type SeverityColor = 'info' | 'warning' | 'comment';

/** One event as templates see it (`it` of a single-event template, each of a digest's `it.events`). */
export interface EventTemplateData extends NormalizedEvent {
  /** The `<font color>` for the event's type. */
  color: SeverityColor;
  /** `namespace/name`, or `name` for cluster-scoped objects. */
  object: string;
  fmt: Formatters;
}

/** Which part of a split digest this is; `label` is `(1/3)`, or `''` when the digest fits in one message. */
export interface DigestPart {
  index: number;
  count: number;
  label: string;
}

/** `it` of a digest template. */
export interface DigestTemplateData {
  /** The events in this message (a slice of the digest when it is split). */
  events: EventTemplateData[];
  /** Index of `events[0]` in the whole digest, to number events across parts. */
  offset: number;
  /** Events in the whole digest, over all parts. */
  total: number;
  /** The `group.by` fields and their shared values, e.g. `{ namespace: 'pay' }`. */
  group: Record<string, string>;
  /** Cluster names in the whole digest, comma-separated. */
  cluster: string;
  /** Warning events in the whole digest. */
  warnings: number;
  /** `warning` when the digest holds a Warning, else `info`. */
  color: SeverityColor;
  part: DigestPart;
  fmt: Formatters;
}

/** Options of `Renderer.renderDigest`. */
export interface DigestOptions {
  /**
   * The messages this digest may take (a robot's remaining budget). A digest that needs more is cut after
   * `maxMessages - 1` parts, labelled `(i/maxMessages-1)`, without the extra mention message: the events after the
   * cut are in no message's `covers`, and the last slot is left for the caller's summary of them. Default: no limit.
   */
  maxMessages?: number;
}

/** Renders events for the receivers of one bundle; built once per bundle load by `compileRenderer`. */
export interface Renderer {
  /** One event to one receiver; usually one message, plus one short `text` message when mentions need it. */
  renderEvent(receiver: string, event: NormalizedEvent, mentions: ResolvedMentions): RenderedMessage[];
  /**
   * A digest; split at event boundaries into `(i/n)` parts when it does not fit one message. Events that a
   * `maxMessages` cut leaves out are in no message's `covers`.
   */
  renderDigest(
    receiver: string,
    events: readonly NormalizedEvent[],
    group: Record<string, string>,
    mentions: ResolvedMentions,
    options?: DigestOptions,
  ): RenderedMessage[];
  /**
   * Names how a receiver renders (its templates, msgtype and limits): receivers with the same name render the same
   * input into the same messages but for `receiver`, so a caller may render once for all of them.
   */
  renderingOf(receiver: string): string;
  /**
   * One `+N more events` summary (counts by reason and namespace) for events over the robot's budget, and for the
   * `parked` ones that earlier invocations left in the state table for this receiver. Always a single message:
   * mentions ride along only where the msgtype carries them inside the message. `covers` lists `events` only.
   */
  renderOverflow(
    receiver: string,
    events: readonly NormalizedEvent[],
    mentions: ResolvedMentions,
    parked?: EventTally,
  ): RenderedMessage;
}
