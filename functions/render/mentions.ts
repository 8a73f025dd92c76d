import { isWecomUserId } from '../channels/wecom/index.ts';
import { mergeMentions } from '../rules/index.ts';
import type { ResolvedMentions } from '../rules/index.ts';
import { utf8Bytes } from './bytes.ts';
import type { WecomMsgtype } from './types.ts';

/**
 * Where each mention goes, by msgtype (docs/wecom.md, Mentions): `text` carries every mention in its lists;
 * `markdown` carries user ids as `<@userid>` in the content (its lists are ignored) while phone numbers and @all
 * (unverified in markdown) need a separate `text` message; `markdown_v2` and body-less msgtypes carry none, so
 * everything goes into that separate message.
 */
export interface MentionPlan {
  /** Lists for the first message's `text` body. */
  lists: MentionLists | undefined;
  /** Appended to the first message's markdown content; its bytes count against the limit. */
  suffix: string;
  /** Lists for one extra `text` message after the content. */
  extra: MentionLists | undefined;
}

/** WeCom's `mentioned_list` / `mentioned_mobile_list`, omitted when empty. */
export interface MentionLists {
  mentioned_list?: string[];
  mentioned_mobile_list?: string[];
}

const isMobile = (id: string) => /^\+?[0-9-]{5,20}$/.test(id);

/** User mentions larger than this share of the limit move to the extra text message, leaving room for content. */
const MAX_SUFFIX_SHARE = 0.25;

// Most messages mention nobody; they share one plan instead of each building its own.
const NOBODY: MentionPlan = Object.freeze({ lists: undefined, suffix: '', extra: undefined });

/** Decides where the mentions of one message group go. */
export function planMentions(msgtype: WecomMsgtype, mentions: ResolvedMentions, limit: number): MentionPlan {
  if (mentions.users.length === 0 && mentions.mobiles.length === 0 && !mentions.all) return NOBODY;
  // Anything but a WeCom user id is dropped: it could smuggle markup into `<@…>`. @all is an explicit choice
  // (`all: true`, or an annotation a receiver allows to say so), never a user id: `<@all>` pages everyone.
  const users = mentions.users.filter(isWecomUserId);
  const mobiles = mentions.mobiles.filter(isMobile);
  const all = mentions.all;
  if (msgtype === 'text') {
    return { lists: lists(all ? ['@all', ...users] : users, mobiles), suffix: '', extra: undefined };
  }
  if (msgtype === 'markdown') {
    const suffix = users.length > 0 ? `\n${users.map((u) => `<@${u}>`).join(' ')}` : '';
    if (utf8Bytes(suffix) <= limit * MAX_SUFFIX_SHARE) {
      return { lists: undefined, suffix, extra: lists(all ? ['@all'] : [], mobiles) };
    }
  }
  return { lists: undefined, suffix: '', extra: lists(all ? ['@all', ...users] : users, mobiles) };
}

/** Mentions that fit inside one message, for the overflow summary, which must stay a single message. */
export function inlineOnly(plan: MentionPlan): MentionPlan {
  return { ...plan, extra: undefined };
}

function lists(users: string[], mobiles: string[]): MentionLists | undefined {
  if (users.length === 0 && mobiles.length === 0) return undefined;
  return {
    ...(users.length > 0 ? { mentioned_list: users } : {}),
    ...(mobiles.length > 0 ? { mentioned_mobile_list: mobiles } : {}),
  };
}

/** Merges lists a full-body template already set with ours, without duplicates. */
export function mergeLists(body: Record<string, unknown>, add: MentionLists): MentionLists {
  const own = (key: keyof MentionLists): string[] =>
    Array.isArray(body[key])
      ? (body[key] as unknown[]).filter((v): v is string => typeof v === 'string')
      : [];
  const merged: ResolvedMentions = { users: [], mobiles: [], all: false };
  mergeMentions(merged, { users: own('mentioned_list'), mobiles: own('mentioned_mobile_list') });
  mergeMentions(merged, { users: add.mentioned_list, mobiles: add.mentioned_mobile_list });
  return lists(merged.users, merged.mobiles) ?? {};
}
