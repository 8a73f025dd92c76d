import type { ChannelMentions } from '../content/index.ts';

// open_ids (`ou_…`), union ids and user ids are letters, digits, `_` and `-`. Anything else (ids may come from
// annotations) could close the attribute and smuggle markup, so it is dropped.
const FEISHU_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** The ids to mention, with `all` last when everyone is; Feishu robots cannot mention by phone number. */
export function feishuMentionIds(mentions: ChannelMentions): string[] {
  const ids = [...new Set(mentions.users.filter((id) => FEISHU_ID.test(id) && id !== 'all'))];
  return mentions.all ? [...ids, 'all'] : ids;
}

/** Mentions in `text` content: `<at user_id="ou_…"></at>`, `<at user_id="all"></at>`. */
export function textMentions(ids: readonly string[]): string {
  return ids.map((id) => `<at user_id="${id}"></at>`).join(' ');
}

/** Mentions in card `lark_md`: `<at id=ou_…></at>`, `<at id=all></at>`. */
export function cardMentions(ids: readonly string[]): string {
  return ids.map((id) => `<at id=${id}></at>`).join(' ');
}
