import { withKeyword, type ChannelContent } from '../content/index.ts';
import { cardMentions, feishuMentionIds, textMentions } from './mentions.ts';

/** The msgtypes kube-wecom sends to Feishu/Lark robots. */
export const FEISHU_MSGTYPES = ['text', 'post', 'interactive'] as const;
export type FeishuMsgtype = (typeof FEISHU_MSGTYPES)[number];

export interface FeishuTextBody {
  msg_type: 'text';
  content: { text: string };
}

/** One element of a post row. */
export type FeishuPostElement = { tag: 'text'; text: string } | { tag: 'at'; user_id: string };

export interface FeishuPostBody {
  msg_type: 'post';
  content: { post: { zh_cn: { title: string; content: FeishuPostElement[][] } } };
}

/** A card element: a block of `lark_md`. */
export interface FeishuCardElement {
  tag: 'div';
  text: { tag: 'lark_md'; content: string };
}

export interface FeishuCardBody {
  msg_type: 'interactive';
  card: {
    config: { wide_screen_mode: true };
    header: { title: { tag: 'plain_text'; content: string } };
    elements: FeishuCardElement[];
  };
}

export type FeishuBody = FeishuTextBody | FeishuPostBody | FeishuCardBody;

/** Options of the Feishu body builders. */
export interface FeishuBodyOptions {
  /** The robot's security keywords: one must appear in every message, or Feishu answers 19024. */
  keywords?: readonly string[];
}

/** Builds the body of `msgtype` from rendered content (escaped with `FEISHU_ESCAPERS[msgtype]`). */
export function buildFeishuBody(
  msgtype: FeishuMsgtype,
  content: ChannelContent,
  options: FeishuBodyOptions = {},
): FeishuBody {
  const ids = feishuMentionIds(content.mentions);
  const text = withKeyword(content.text, options.keywords);
  switch (msgtype) {
    case 'text':
      return { msg_type: 'text', content: { text: ids.length > 0 ? `${text}\n${textMentions(ids)}` : text } };
    case 'post': {
      // One row per line, so line breaks survive; mentions get a row of their own.
      const rows: FeishuPostElement[][] = text.split('\n').map((line) => [{ tag: 'text', text: line }]);
      if (ids.length > 0) rows.push(ids.map((id) => ({ tag: 'at', user_id: id })));
      return { msg_type: 'post', content: { post: { zh_cn: { title: content.title, content: rows } } } };
    }
    case 'interactive': {
      const elements: FeishuCardElement[] = [{ tag: 'div', text: { tag: 'lark_md', content: text } }];
      if (ids.length > 0) elements.push({ tag: 'div', text: { tag: 'lark_md', content: cardMentions(ids) } });
      return {
        msg_type: 'interactive',
        card: {
          config: { wide_screen_mode: true },
          header: { title: { tag: 'plain_text', content: content.title || 'Kubernetes event' } },
          elements,
        },
      };
    }
  }
}
