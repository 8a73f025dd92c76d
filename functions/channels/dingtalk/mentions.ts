import type { ChannelMentions } from '../content/index.ts';

/** DingTalk's `at` object. */
export interface DingtalkAt {
  atMobiles: string[];
  atUserIds: string[];
  isAtAll: boolean;
}

// Ids come from the bundle or from annotations anyone editing a namespace can set: only plain ids are placed.
const USER_ID = /^[A-Za-z0-9_.@-]{1,64}$/;
const MOBILE = /^\+?[0-9-]{5,20}$/;

/**
 * Where a message's mentions go. A DingTalk mention fires only when the id is listed in `at` *and* `@<id>` appears
 * in the content (text and markdown alike), so both are produced: `at` for the body, `suffix` for the content.
 * @all needs only `isAtAll`.
 */
export function dingtalkMentions(mentions: ChannelMentions): { at: DingtalkAt; suffix: string } {
  const atMobiles = [...new Set(mentions.mobiles.filter((m) => MOBILE.test(m)))];
  const atUserIds = [...new Set(mentions.users.filter((u) => USER_ID.test(u)))];
  const suffix = [...atMobiles, ...atUserIds].map((id) => `@${id}`).join(' ');
  return { at: { atMobiles, atUserIds, isAtAll: mentions.all }, suffix };
}
