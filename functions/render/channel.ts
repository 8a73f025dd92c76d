// Longer than our ~250-line guide on purpose: each other channel's rendering is one short factory (body builder,
// escaper, limit and how it is measured) beside the others, so their differences read side by side.
import type { NormalizedEvent } from '../../contracts/index.ts';
import type { Channel, ReceiverMsgtype } from '../bundle/index.ts';
import { msgtypeOf } from '../bundle/index.ts';
import type { Msgtype, Receiver } from '../bundle/index.ts';
import type { ChannelContent } from '../channels/content/index.ts';
import { neutralizeAt } from '../channels/content/index.ts';
import { requestBodyBytes } from '../channels/delivery/index.ts';
import type { ChannelLimits } from '../channels/delivery/index.ts';
import { DINGTALK_ESCAPERS, DINGTALK_LIMITS, buildDingtalkBody } from '../channels/dingtalk/index.ts';
import type { DingtalkMsgtype } from '../channels/dingtalk/index.ts';
import {
  FEISHU_ESCAPERS,
  FEISHU_LIMITS,
  FEISHU_SIGNATURE_BYTES,
  buildFeishuBody,
} from '../channels/feishu/index.ts';
import type { FeishuMsgtype } from '../channels/feishu/index.ts';
import { WEBHOOK_LIMITS, compileWebhookBody } from '../channels/webhook/index.ts';
import { WECOM_APP_ESCAPERS, WECOM_APP_LIMITS, buildWecomAppBody } from '../channels/wecom-app/index.ts';
import type { WecomAppMsgtype } from '../channels/wecom-app/index.ts';
import type { ResolvedMentions } from '../rules/index.ts';
import { utf8Bytes } from './bytes.ts';
import { sanitize } from './escape.ts';
import { fitContent } from './fit.ts';
import type { MentionPlan } from './mentions.ts';
import { WEBHOOK_FIELDS, webhookValues } from './webhook-fields.ts';

/**
 * Rendering for the channels besides WeCom group robots. Content is rendered as for WeCom, with the channel's own
 * escaper and the built-in layout of the WeCom msgtype closest to the channel's markup (`style`); the channel's
 * body builder then places it, with the title, mentions and keywords, and the message is fitted to the channel's
 * own byte limit, measured the way the channel measures it.
 */
export interface ChannelRendering {
  channel: Exclude<Channel, 'wecom'>;
  msgtype: ReceiverMsgtype;
  /** The WeCom msgtype whose built-in templates and summary layout the content takes. */
  style: Msgtype;
  escape: (text: string) => string;
  /** Names what decides the bodies besides the templates (keywords, recipients, body template…). */
  key: string;
  /** Content bytes a message without mentions may take. */
  room: number;
  /** Content bytes the mentions take away from `room`. */
  mentionBytes(mentions: ResolvedMentions): number;
  /** The message for fitted content: the body, and the bytes the channel counts against its limit. */
  message(
    content: string,
    mentions: ResolvedMentions,
    event: NormalizedEvent | undefined,
  ): { body: Record<string, unknown>; bytes: number };
}

/** A mention plan for a channel receiver: the body builder places the mentions, so the plan only carries them. */
export interface ChannelPlan extends MentionPlan {
  mentions: ResolvedMentions;
  /** The event a single-event message is about, for a webhook's field values. */
  event: NormalizedEvent | undefined;
  reservedBytes: number;
}

const NOBODY: ResolvedMentions = Object.freeze({ users: [], mobiles: [], all: false }) as ResolvedMentions;

/** The longest title taken from a message's first line (DingTalk's preview, Feishu's post title and card header). */
const TITLE_CHARS = 64;
/** What a title can cost in a body: look-alikes take 3 bytes each. */
const TITLE_BYTES = TITLE_CHARS * 3;

/**
 * How much larger content gets in a JSON request body than its own UTF-8 bytes: a newline or quote takes two bytes,
 * and a Feishu post puts each line in its own element. Only the first cut uses it; every message is measured exactly
 * afterwards and cut again if it is still over.
 */
const JSON_GROWTH = 1.1;
const POST_GROWTH = 1.5;

/** The WeCom layout each channel msgtype takes: plain text, or markdown with headings and lists. */
const STYLES: Readonly<Record<ReceiverMsgtype, Msgtype>> = {
  text: 'text',
  markdown: 'markdown',
  markdown_v2: 'markdown_v2',
  post: 'text',
  interactive: 'text',
};

/** The rendering of a non-WeCom receiver; undefined for WeCom group robots, which render as they always have. */
export function channelRendering(receiver: Receiver): ChannelRendering | undefined {
  switch (receiver.channel) {
    case 'wecom':
      return undefined;
    case 'dingtalk':
      return dingtalk(receiver, msgtypeOf(receiver) as DingtalkMsgtype);
    case 'feishu':
      return feishu(receiver, msgtypeOf(receiver) as FeishuMsgtype);
    case 'wecom-app':
      return wecomApp(receiver, msgtypeOf(receiver) as WecomAppMsgtype);
    case 'webhook':
      return webhook(receiver);
  }
}

/** The plan for a channel receiver's message. */
export function channelPlan(
  rendering: ChannelRendering,
  mentions: ResolvedMentions,
  event: NormalizedEvent | undefined,
): ChannelPlan {
  return {
    lists: undefined,
    suffix: '',
    extra: undefined,
    mentions,
    event,
    reservedBytes: rendering.mentionBytes(mentions),
  };
}

/** The mentions a plan carries for a channel's body; none on the later parts of a split digest. */
export function planned(plan: MentionPlan | undefined): {
  mentions: ResolvedMentions;
  event: NormalizedEvent | undefined;
} {
  const channel = plan as Partial<ChannelPlan> | undefined;
  return { mentions: channel?.mentions ?? NOBODY, event: channel?.event };
}

/** Bytes a plan keeps from the content (a channel's mentions), beyond a WeCom suffix. */
export function reservedBytes(plan: MentionPlan): number {
  return (plan as Partial<ChannelPlan>).reservedBytes ?? 0;
}

/**
 * A body builder measured against a byte limit: the room for content, and the message for fitted content, cut at
 * its tail when the exact measure is still over (a rare line-heavy or quote-heavy content).
 */
function measured(
  limit: number,
  growth: number,
  build: (content: string, mentions: ResolvedMentions) => Record<string, unknown>,
  measure: (body: Record<string, unknown>, content: string) => number,
): Pick<ChannelRendering, 'room' | 'mentionBytes' | 'message'> {
  const overhead = (mentions: ResolvedMentions) => measure(build('', mentions), '') + TITLE_BYTES;
  const bare = overhead(NOBODY);
  // A delivery's mentions are one object for all its messages: measured once, not once per message.
  const measuredMentions = new WeakMap<ResolvedMentions, number>();
  return {
    room: Math.max(0, Math.floor((limit - bare) / growth)),
    mentionBytes(mentions) {
      if (mentions.users.length + mentions.mobiles.length === 0 && !mentions.all) return 0;
      let bytes = measuredMentions.get(mentions);
      if (bytes === undefined) measuredMentions.set(mentions, (bytes = overhead(mentions) - bare));
      return bytes;
    },
    message(content, mentions) {
      let text = content;
      let body = build(text, mentions);
      let bytes = measure(body, text);
      while (bytes > limit && text !== '') {
        text = fitContent(text, utf8Bytes(text) - (bytes - limit));
        body = build(text, mentions);
        bytes = measure(body, text);
      }
      return { body, bytes };
    },
  };
}

/** The receiver's limit: the channel's, lowered by `maxBytes`. */
function limitOf(limits: ChannelLimits, receiver: Receiver): number {
  return Math.min(limits.maxBytes, receiver.maxBytes ?? limits.maxBytes);
}

/** Title and text: the first line (markup marks dropped, cut short) and, where a title is shown apart, the rest. */
function titled(content: string, splitTitle: boolean, mentions: ResolvedMentions): ChannelContent {
  const newline = content.indexOf('\n');
  const first = newline === -1 ? content : content.slice(0, newline);
  const title = [...first.replace(/^#+\s*|\*\*/g, '').trim()].slice(0, TITLE_CHARS).join('');
  const rest = content.slice(newline + 1).replace(/^\n+/, '');
  const text = splitTitle && newline !== -1 && rest.trim() !== '' ? rest : content;
  return { title, text, mentions };
}

function dingtalk(receiver: Receiver, msgtype: DingtalkMsgtype): ChannelRendering {
  const options = receiver.keywords ? { keywords: receiver.keywords } : {};
  // `@` anywhere in the rendered content could pair with an id in `at`: the mention suffix is added by the builder.
  const build = (content: string, mentions: ResolvedMentions) =>
    buildDingtalkBody(msgtype, titled(neutralizeAt(content), false, mentions), options) as unknown as Record<
      string,
      unknown
    >;
  return {
    channel: 'dingtalk',
    msgtype,
    style: msgtype === 'markdown' ? 'markdown_v2' : 'text',
    escape: DINGTALK_ESCAPERS[msgtype],
    key: JSON.stringify(['dingtalk', msgtype, receiver.keywords]),
    ...measured(limitOf(DINGTALK_LIMITS, receiver), JSON_GROWTH, build, requestBodyBytes),
  };
}

function feishu(receiver: Receiver, msgtype: FeishuMsgtype): ChannelRendering {
  const options = receiver.keywords ? { keywords: receiver.keywords } : {};
  const signature = receiver.secret ? FEISHU_SIGNATURE_BYTES : 0;
  const build = (content: string, mentions: ResolvedMentions) =>
    buildFeishuBody(msgtype, titled(content, msgtype !== 'text', mentions), options) as unknown as Record<
      string,
      unknown
    >;
  return {
    channel: 'feishu',
    msgtype,
    style: STYLES[msgtype],
    escape: FEISHU_ESCAPERS[msgtype],
    key: JSON.stringify(['feishu', msgtype, receiver.keywords, signature]),
    ...measured(
      limitOf(FEISHU_LIMITS, receiver) - signature,
      msgtype === 'post' ? POST_GROWTH : JSON_GROWTH,
      build,
      requestBodyBytes,
    ),
  };
}

function wecomApp(receiver: Receiver, msgtype: WecomAppMsgtype): ChannelRendering {
  const recipients = {
    agentId: receiver.agentId ?? 0,
    ...(receiver.toUser ? { toUser: receiver.toUser } : {}),
    ...(receiver.toParty ? { toParty: receiver.toParty } : {}),
  };
  // Application messages go to people, not a group: the recipients are the mentions.
  const build = (content: string) =>
    buildWecomAppBody(msgtype, titled(content, false, NOBODY), recipients) as unknown as Record<
      string,
      unknown
    >;
  return {
    channel: 'wecom-app',
    msgtype,
    style: STYLES[msgtype],
    escape: WECOM_APP_ESCAPERS[msgtype],
    key: JSON.stringify(['wecom-app', msgtype, recipients]),
    // The limit counts the content alone, so a title costs nothing: measured() reserves for one, hence the add.
    ...measured(limitOf(WECOM_APP_LIMITS, receiver) + TITLE_BYTES, 1, build, (_, content) =>
      utf8Bytes(content),
    ),
  };
}

function webhook(receiver: Receiver): ChannelRendering {
  const template = compileWebhookBody(receiver.body ?? '{"text":"{{ text }}"}', WEBHOOK_FIELDS);
  return {
    channel: 'webhook',
    msgtype: 'text',
    style: 'text',
    // The target's markup is unknown: JSON encoding is the escaping; controls and bidi overrides still go.
    escape: sanitize,
    key: JSON.stringify(['webhook', receiver.body]),
    room: WEBHOOK_LIMITS.maxBytes,
    mentionBytes: () => 0,
    message(content, _mentions, event) {
      const { title } = titled(content, false, NOBODY);
      const body = JSON.parse(template.render(webhookValues(title, content, event))) as Record<
        string,
        unknown
      >;
      return { body, bytes: requestBodyBytes(body) };
    },
  };
}
