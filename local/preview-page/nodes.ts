/**
 * The node tree that message views are made of. Parsers produce it from untrusted message content; the page turns
 * it into DOM nodes and tests turn it into HTML. Both consumers enforce the same allow-list, so a parser bug can show
 * wrong text but can never create a script, an event handler or a link to anything but http(s).
 */

/** Element names a message view may contain. */
export const ALLOWED_TAGS = [
  'div',
  'p',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'strong',
  'em',
  'code',
  'pre',
  'a',
  'span',
  'blockquote',
  'ul',
  'ol',
  'li',
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
  'hr',
  'br',
] as const;

/** An element name a message view may contain. */
export type ViewTag = (typeof ALLOWED_TAGS)[number];

/** Class names a message view may carry: WeCom's three font colours, mentions and placeholders. */
export const ALLOWED_CLASSES = [
  'font-info',
  'font-comment',
  'font-warning',
  'font-other',
  'mention',
  'mentions',
  'placeholder',
  'md-line',
  'md-gap',
  'text-body',
  'news',
] as const;

/** A class name a message view may carry. */
export type ViewClass = (typeof ALLOWED_CLASSES)[number];

/** Table cell alignment from a markdown_v2 separator row. */
export type ViewAlign = 'left' | 'center' | 'right';

/** An element of a message view. */
export interface ViewElement {
  tag: ViewTag;
  cls?: ViewClass;
  /** Only on `a`; always an http(s) URL that passed `safeHref`. */
  href?: string;
  align?: ViewAlign;
  children: ViewNode[];
}

/** Text (always shown as text, never parsed as HTML) or an element. */
export type ViewNode = string | ViewElement;

const TAGS: ReadonlySet<string> = new Set(ALLOWED_TAGS);
const CLASSES: ReadonlySet<string> = new Set(ALLOWED_CLASSES);
const VOID_TAGS: ReadonlySet<string> = new Set(['hr', 'br']);

/** Builds an element. */
export function el(
  tag: ViewTag,
  children: ViewNode[] = [],
  extra: Omit<ViewElement, 'tag' | 'children'> = {},
) {
  return { tag, children, ...extra } satisfies ViewElement;
}

/** The URL itself when it is an absolute http(s) URL, else `null` (javascript:, data:, relative, malformed). */
export function safeHref(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : null;
}

/** Whether an element passes the allow-list: known tag and class, an href only on links and only http(s). */
export function isAllowed(node: ViewElement): boolean {
  if (!TAGS.has(node.tag)) return false;
  if (node.cls !== undefined && !CLASSES.has(node.cls)) return false;
  if (node.href !== undefined && (node.tag !== 'a' || safeHref(node.href) === null)) return false;
  return (
    node.align === undefined || node.align === 'left' || node.align === 'center' || node.align === 'right'
  );
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML element content and double-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch]!);
}

/** Serializes a view to HTML; an element that fails the allow-list is replaced by its escaped text. */
export function toHtml(nodes: readonly ViewNode[]): string {
  return nodes.map(nodeHtml).join('');
}

function nodeHtml(node: ViewNode): string {
  if (typeof node === 'string') return escapeHtml(node);
  if (!isAllowed(node)) return escapeHtml(textOf(node));
  let attrs = '';
  if (node.cls) attrs += ` class="${node.cls}"`;
  if (node.href)
    attrs += ` href="${escapeHtml(node.href)}" rel="noopener noreferrer nofollow" target="_blank"`;
  if (node.align) attrs += ` style="text-align:${node.align}"`;
  if (VOID_TAGS.has(node.tag)) return `<${node.tag}${attrs}>`;
  return `<${node.tag}${attrs}>${toHtml(node.children)}</${node.tag}>`;
}

/** The text of a view, as a reader would copy it. */
export function textOf(node: ViewNode): string {
  return typeof node === 'string' ? node : node.children.map(textOf).join('');
}
