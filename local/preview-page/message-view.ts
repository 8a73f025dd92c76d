import { el, safeHref, type ViewNode } from './nodes.ts';
import { parseWecomMarkdown } from './wecom-markdown.ts';

const MENTION = /<@([^<>\s]{1,64})>/g;

// Text is shown literally except `<@userid>`, which WeCom documents as a mention in text content too (§5).
function textBody(content: string): ViewNode[] {
  const out: ViewNode[] = [];
  let last = 0;
  for (const m of content.matchAll(MENTION)) {
    if (m.index > last) out.push(content.slice(last, m.index));
    out.push(el('span', [`@${m[1]}`], { cls: 'mention' }));
    last = m.index + m[0].length;
  }
  if (last < content.length) out.push(content.slice(last));
  return [el('div', out, { cls: 'text-body' })];
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && v !== '') : [];
}

// WeCom appends the people a text message mentions; `@all` reads as everyone.
function mentionLine(payload: Record<string, unknown>): ViewNode[] {
  const names = [...strings(payload.mentioned_list), ...strings(payload.mentioned_mobile_list)];
  const unique = [...new Set(names.map((n) => (n === '@all' ? '@all' : `@${n}`)))];
  if (unique.length === 0) return [];
  return [
    el(
      'div',
      unique.flatMap((n, i) => [...(i > 0 ? [' '] : []), el('span', [n], { cls: 'mention' })]),
      { cls: 'mentions' },
    ),
  ];
}

function news(payload: Record<string, unknown>): ViewNode[] {
  const articles = Array.isArray(payload.articles) ? (payload.articles as unknown[]) : [];
  return articles.flatMap((a) => {
    if (typeof a !== 'object' || a === null) return [];
    const { title, description, url } = a as Record<string, unknown>;
    const href = typeof url === 'string' ? safeHref(url) : null;
    const heading = typeof title === 'string' ? title : '(untitled)';
    return [
      el(
        'div',
        [
          href ? el('a', [el('strong', [heading])], { href }) : el('strong', [heading]),
          ...(typeof description === 'string' ? [el('div', [description])] : []),
        ],
        { cls: 'news' },
      ),
    ];
  });
}

/** How a WeCom client shows one message of any msgtype, from the msgtype and its payload object. */
export function messageView(msgtype: string, payload: Record<string, unknown>): ViewNode[] {
  const content = typeof payload.content === 'string' ? payload.content : '';
  switch (msgtype) {
    case 'text':
      return [...textBody(content), ...mentionLine(payload)];
    case 'markdown':
    case 'markdown_v2':
      return parseWecomMarkdown(content, msgtype);
    case 'news':
      return news(payload);
    default:
      return [el('span', [`[${msgtype} message]`], { cls: 'placeholder' })];
  }
}
