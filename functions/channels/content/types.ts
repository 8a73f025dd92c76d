/**
 * What a channel's body builders start from: content already rendered for that channel (untrusted event text in it
 * was escaped with the channel's escaper), plus who to mention. Mentions are ids from the bundle or from
 * annotations, so builders still check their shape before placing them in markup.
 */
export interface ChannelContent {
  /** A short summary: DingTalk's markdown title, Feishu's post title and card header. Not shown by `text` bodies. */
  title: string;
  /** The visible message. */
  text: string;
  mentions: ChannelMentions;
}

/** Who a message mentions, channel-neutral (the shape of the rules' resolved mentions). */
export interface ChannelMentions {
  /** User ids: DingTalk userIds, Feishu open_ids (`ou_…`) or user ids. */
  users: readonly string[];
  /** Phone numbers (DingTalk only; Feishu robots cannot mention by phone). */
  mobiles: readonly string[];
  /** Mention everyone: an explicit choice in the bundle, never taken from an id list. */
  all: boolean;
}

/** Mentions nobody. */
export const NO_MENTIONS: ChannelMentions = Object.freeze({ users: [], mobiles: [], all: false });
