/**
 * How a message on another channel than WeCom group robots reads on the preview page: its body turned into the
 * WeCom msgtype whose look is closest (`text`, or `markdown_v2` for standard markdown), with mentions written as
 * `@id` and a Feishu post's or card's title as its first line. The page labels the column's messages with the channel.
 */
export function channelPreview(
  channel: string,
  body: Record<string, unknown>,
): { msgtype: string; payload: Record<string, unknown> } {
  const text = (content: string) => ({ msgtype: 'text', payload: { content } });
  const markdown = (content: string) => ({ msgtype: 'markdown_v2', payload: { content } });
  switch (channel) {
    case 'dingtalk': {
      const { text: plain, markdown: md } = body as {
        text?: { content?: string };
        markdown?: { text?: string };
      };
      return md ? markdown(md.text ?? '') : text(plain?.content ?? '');
    }
    case 'feishu':
      return feishuPreview(body);
    case 'wecom-app': {
      const {
        msgtype,
        text: plain,
        markdown: md,
      } = body as {
        msgtype?: string;
        text?: { content?: string };
        markdown?: { content?: string };
      };
      return msgtype === 'markdown'
        ? { msgtype: 'markdown', payload: { content: md?.content ?? '' } }
        : text(plain?.content ?? '');
    }
    default:
      return text(JSON.stringify(body, null, 2));
  }
}

type PostElement = { tag?: string; text?: string; user_id?: string };

function feishuPreview(body: Record<string, unknown>): { msgtype: string; payload: Record<string, unknown> } {
  const mentions = (content: string) => content.replace(/<at (?:user_id|id)="?([^">]*)"?><\/at>/g, '@$1');
  const {
    msg_type: msgType,
    content,
    card,
  } = body as {
    msg_type?: string;
    content?: { text?: string; post?: { zh_cn?: { title?: string; content?: PostElement[][] } } };
    card?: { header?: { title?: { content?: string } }; elements?: { text?: { content?: string } }[] };
  };
  if (msgType === 'post') {
    const post = content?.post?.zh_cn;
    const rows = (post?.content ?? []).map((row) =>
      row.map((e) => (e.tag === 'at' ? `@${e.user_id ?? ''}` : (e.text ?? ''))).join(''),
    );
    return { msgtype: 'text', payload: { content: [post?.title ?? '', ...rows].join('\n') } };
  }
  if (msgType === 'interactive') {
    const elements = (card?.elements ?? []).map((e) => mentions(e.text?.content ?? ''));
    const title = card?.header?.title?.content ?? '';
    return { msgtype: 'markdown_v2', payload: { content: [`### ${title}`, ...elements].join('\n\n') } };
  }
  return { msgtype: 'text', payload: { content: mentions(content?.text ?? '') } };
}
