import { withKeyword, type ChannelContent } from '../content/index.ts';
import { dingtalkMentions, type DingtalkAt } from './mentions.ts';

/** The msgtypes kube-wecom sends to DingTalk robots. */
export const DINGTALK_MSGTYPES = ['text', 'markdown'] as const;
export type DingtalkMsgtype = (typeof DINGTALK_MSGTYPES)[number];

export interface DingtalkTextBody {
  msgtype: 'text';
  text: { content: string };
  at: DingtalkAt;
}

export interface DingtalkMarkdownBody {
  msgtype: 'markdown';
  /** `title` is what the notification preview shows; `text` is the message. */
  markdown: { title: string; text: string };
  at: DingtalkAt;
}

export type DingtalkBody = DingtalkTextBody | DingtalkMarkdownBody;

/** Options of the DingTalk body builders. */
export interface DingtalkBodyOptions {
  /** The robot's security keywords: one of them must appear in every message, or DingTalk answers 310000. */
  keywords?: readonly string[];
}

/** Builds the body of `msgtype` from rendered content (escaped with `DINGTALK_ESCAPERS[msgtype]`). */
export function buildDingtalkBody(
  msgtype: DingtalkMsgtype,
  content: ChannelContent,
  options: DingtalkBodyOptions = {},
): DingtalkBody {
  const { at, suffix } = dingtalkMentions(content.mentions);
  const text = withKeyword(content.text, options.keywords);
  if (msgtype === 'text') {
    return { msgtype, text: { content: suffix ? `${text}\n${suffix}` : text }, at };
  }
  // Markdown collapses single newlines, so the mentions get a paragraph of their own.
  const markdown = suffix ? `${text}\n\n${suffix}` : text;
  return { msgtype, markdown: { title: previewTitle(content), text: markdown }, at };
}

/** DingTalk refuses markdown without a title; the first line of the text stands in for a missing one. */
function previewTitle(content: ChannelContent): string {
  const title = content.title.trim() || content.text.trim().split('\n', 1)[0]!.trim();
  return title || 'Kubernetes event';
}
