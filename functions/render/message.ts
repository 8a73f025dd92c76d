import type { NormalizedEvent } from '../../contracts/index.ts';
import { utf8Bytes } from './bytes.ts';
import { escapeText } from './escape.ts';
import { fitContent } from './fit.ts';
import { mergeLists } from './mentions.ts';
import type { MentionLists, MentionPlan } from './mentions.ts';
import type { Draft } from './producers.ts';
import { contentLimit } from './receiver.ts';
import type { CompiledReceiver } from './receiver.ts';
import type { RenderedMessage, WecomMsgtype } from './types.ts';
import { channelPlan, planned, reservedBytes } from './channel.ts';
import { planMentions } from './mentions.ts';
import type { ResolvedMentions } from '../rules/index.ts';

/** Building the message: a WeCom body from fitted content and a mention plan, and the extra mention message. */

const TEXT_LIMIT = 2048;

/**
 * Where a message's mentions go: WeCom's plan by msgtype, or, on another channel, into its body builder (with the
 * event a single-event message is about, for a webhook's fields).
 */
export function planFor(
  receiver: CompiledReceiver,
  msgtype: WecomMsgtype,
  mentions: ResolvedMentions,
  event?: NormalizedEvent,
): MentionPlan {
  if (receiver.channel) return channelPlan(receiver.channel, mentions, event);
  return planMentions(msgtype, mentions, contentLimit(receiver, msgtype));
}

/** The bytes left for content once the plan's mention suffix is appended (or its channel mentions placed). */
export function contentRoom(receiver: CompiledReceiver, draft: Draft, plan: MentionPlan): number {
  return contentLimit(receiver, draft.msgtype) - utf8Bytes(plan.suffix) - reservedBytes(plan);
}

/** One WeCom body from a fitted draft: the content with its mention suffix, and the mention lists merged in. */
export function toMessage(
  receiver: CompiledReceiver,
  draft: Draft,
  content: string | undefined,
  plan: MentionPlan | undefined,
  covers: number[],
): RenderedMessage {
  const msgtype = draft.msgtype;
  if (receiver.channel && content !== undefined) {
    const { mentions, event } = planned(plan);
    const { body, bytes } = receiver.channel.message(content, mentions, event);
    const channel = { name: receiver.channel.channel, msgtype: receiver.channel.msgtype };
    return { receiver: receiver.name, msgtype, channel, body, bytes, covers };
  }
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
export function mentionMessage(
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

/** What the extra mention message says for one event: icon, reason, object and cluster. */
export function eventSummary(event: NormalizedEvent): string {
  const where = event.namespace ? `${event.namespace}/${event.name}` : event.name;
  return `${icon(event.type)} ${event.reason || event.type} in ${event.kind} ${where}${event.cluster ? ` (${event.cluster})` : ''}`;
}

/** What the extra mention message says for a digest: icon, clusters, count and up to five reasons. */
export function digestSummary(events: readonly NormalizedEvent[]): string {
  const reasons = [...new Set(events.map((e) => e.reason).filter(Boolean))];
  const clusters = [...new Set(events.map((e) => e.cluster).filter(Boolean))];
  const type = events.some((e) => e.type === 'Warning') ? 'Warning' : 'Normal';
  const listed = reasons.slice(0, 5).join(', ') + (reasons.length > 5 ? ', …' : '');
  return `${icon(type)} ${clusters.length > 0 ? `${clusters.join(', ')}: ` : ''}${events.length} event${events.length === 1 ? '' : 's'}${listed ? ` (${listed})` : ''}`;
}

function icon(type: string): string {
  return type === 'Warning' ? '⚠' : 'ℹ';
}
