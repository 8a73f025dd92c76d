import {
  el,
  safeHref,
  toHtml,
  type ViewAlign,
  type ViewClass,
  type ViewElement,
  type ViewNode,
  type ViewTag,
} from './nodes.ts';

/**
 * WeCom's two markdown dialects as a WeCom client shows them (docs/wecom.md, Markdown dialects). Anything outside a dialect's
 * subset stays literal text, as the client shows it; the output is a view tree, so no input can become HTML.
 */

/** `markdown` (legacy: headings, bold, links, inline code, quotes, three font colours, `<@userid>`) or `markdown_v2`
 * (adds italics, lists, tables, code blocks, rules, multi-level quotes; no colours, no mentions). */
export type WecomDialect = 'markdown' | 'markdown_v2';

/** Parses markdown content of one message into a view. */
export function parseWecomMarkdown(text: string, dialect: WecomDialect = 'markdown'): ViewNode[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  return dialect === 'markdown' ? legacyBlocks(lines) : v2Blocks(lines);
}

/** Renders markdown content of one message to HTML built only from allow-listed elements, all text escaped. */
export function renderWecomMarkdown(text: string, dialect: WecomDialect = 'markdown'): string {
  return toHtml(parseWecomMarkdown(text, dialect));
}

const HEADING = /^(#{1,6}) (.*)$/;
const QUOTE = /^((?:> ?)+)(.*)$/;

function heading(match: RegExpExecArray, dialect: WecomDialect): ViewElement {
  const tag = `h${match[1]!.length}` as ViewTag;
  return el(tag, inline(match[2]!, dialect));
}

// Legacy markdown turns every newline into a line break (the built-in templates rely on it), so each line is its
// own block and an empty line is a gap of one line.
function legacyBlocks(lines: string[]): ViewNode[] {
  const out: ViewNode[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const h = HEADING.exec(line);
    if (h) {
      out.push(heading(h, 'markdown'));
    } else if (QUOTE.test(line)) {
      const quoted: string[] = [];
      for (; i < lines.length && QUOTE.test(lines[i]!); i++) quoted.push(QUOTE.exec(lines[i]!)![2]!);
      i--;
      out.push(el('blockquote', joinLines(quoted.map((q) => inline(q, 'markdown')))));
    } else if (line.trim() === '') {
      out.push(el('div', [], { cls: 'md-gap' }));
    } else {
      out.push(el('div', inline(line, 'markdown'), { cls: 'md-line' }));
    }
  }
  return out;
}

function joinLines(lines: ViewNode[][]): ViewNode[] {
  return lines.flatMap((line, i) => (i === 0 ? line : [el('br'), ...line]));
}

const FENCE = /^ {0,3}```/;
const RULE = /^ {0,3}([-*_])(?: *\1){2,} *$/;
const LIST_ITEM = /^( *)([-*+]|\d{1,9}[.)]) +(.*)$/;
const TABLE_SEPARATOR = /^ *\|? *:?-+:? *(?:\| *:?-+:? *)*\|? *$/;

function v2Blocks(lines: string[]): ViewNode[] {
  const out: ViewNode[] = [];
  let paragraph: string[] = [];
  const endParagraph = () => {
    if (paragraph.length > 0) out.push(el('p', joinLines(paragraph.map((l) => inline(l, 'markdown_v2')))));
    paragraph = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const isTable = line.includes('|') && i + 1 < lines.length && TABLE_SEPARATOR.test(lines[i + 1]!);
    const startsBlock =
      FENCE.test(line) || HEADING.test(line) || RULE.test(line) || QUOTE.test(line) || LIST_ITEM.test(line);
    if (!isTable && !startsBlock) {
      if (line.trim() === '') endParagraph();
      else paragraph.push(line);
      continue;
    }
    endParagraph();
    let end = i + 1;
    if (FENCE.test(line)) {
      // An unclosed fence runs to the end of the message, as in CommonMark.
      while (end < lines.length && !/^ {0,3}``` *$/.test(lines[end]!)) end++;
      out.push(el('pre', [el('code', [lines.slice(i + 1, end).join('\n')])]));
      i = end;
      continue;
    }
    if (isTable) {
      end = i + 2;
      while (end < lines.length && lines[end]!.includes('|') && lines[end]!.trim() !== '') end++;
      out.push(table(line, lines[i + 1]!, lines.slice(i + 2, end)));
    } else if (HEADING.test(line)) {
      out.push(heading(HEADING.exec(line)!, 'markdown_v2'));
    } else if (RULE.test(line)) {
      out.push(el('hr'));
    } else if (QUOTE.test(line)) {
      while (end < lines.length && QUOTE.test(lines[end]!)) end++;
      out.push(quote(lines.slice(i, end).map(quoteLevel)));
    } else {
      while (end < lines.length && LIST_ITEM.test(lines[end]!)) end++;
      out.push(...list(lines.slice(i, end).map(listItem)));
    }
    i = end - 1;
  }
  endParagraph();
  return out;
}

interface QuoteLine {
  level: number;
  text: string;
}

function quoteLevel(line: string): QuoteLine {
  const m = QUOTE.exec(line)!;
  return { level: m[1]!.replace(/ /g, '').length, text: m[2]! };
}

// `>`, `>>` and `>>>` nest: lines deeper than this quote's level form a quote inside it.
function quote(lines: QuoteLine[], level = 1): ViewElement {
  const children: ViewNode[] = [];
  for (let i = 0; i < lines.length;) {
    if (lines[i]!.level <= level) {
      const previous = children.at(-1);
      if (typeof previous === 'string' || (previous && previous.tag !== 'blockquote'))
        children.push(el('br'));
      children.push(...inline(lines[i]!.text, 'markdown_v2'));
      i++;
      continue;
    }
    let end = i;
    while (end < lines.length && lines[end]!.level > level) end++;
    children.push(quote(lines.slice(i, end), level + 1));
    i = end;
  }
  return el('blockquote', children);
}

interface ListLine {
  indent: number;
  ordered: boolean;
  text: string;
}

function listItem(line: string): ListLine {
  const m = LIST_ITEM.exec(line)!;
  return { indent: m[1]!.length, ordered: /\d/.test(m[2]!), text: m[3]! };
}

// Items indented past the first item's indent nest under the item before them (a shallower one counts as the first
// level); a change between `-` and `1.` starts a new list.
function list(items: ListLine[]): ViewElement[] {
  const lists: ViewElement[] = [];
  const base = items[0]!.indent;
  for (let i = 0; i < items.length;) {
    const ordered = items[i]!.ordered;
    const current = el(ordered ? 'ol' : 'ul');
    while (i < items.length && items[i]!.indent <= base && items[i]!.ordered === ordered) {
      const li = el('li', inline(items[i]!.text, 'markdown_v2'));
      let end = i + 1;
      while (end < items.length && items[end]!.indent > base) end++;
      if (end > i + 1) li.children.push(...list(items.slice(i + 1, end)));
      current.children.push(li);
      i = end;
    }
    lists.push(current);
  }
  return lists;
}

function cells(row: string): string[] {
  let s = row.trim();
  if (s.startsWith('|')) s = s.slice(1);
  if (s.endsWith('|')) s = s.slice(0, -1);
  return s.split('|').map((c) => c.trim());
}

function alignOf(spec: string): ViewAlign | undefined {
  const left = spec.startsWith(':');
  const right = spec.endsWith(':');
  if (left && right) return 'center';
  if (right) return 'right';
  return left ? 'left' : undefined;
}

function table(header: string, separator: string, rows: string[]): ViewElement {
  const aligns = cells(separator).map(alignOf);
  const width = cells(header).length;
  const row = (line: string, tag: 'th' | 'td') =>
    el(
      'tr',
      Array.from({ length: width }, (_, i) => {
        const align = aligns[i];
        return el(tag, inline(cells(line)[i] ?? '', 'markdown_v2'), align ? { align } : {});
      }),
    );
  return el('table', [
    el('thead', [row(header, 'th')]),
    el(
      'tbody',
      rows.map((r) => row(r, 'td')),
    ),
  ]);
}

const LINK = /^\[([^[\]\n]*)\]\(\s*([^()\s]*)\s*\)/;
const IMAGE = /^!\[([^[\]\n]*)\]\(\s*([^()\s]*)\s*\)/;
const ITALIC = /^\*([^*\s](?:[^*]*[^*\s])?)\*/;
const MENTION = /^<@([^<>\s]{1,64})>/;
const FONT_OPEN = /^<font\s+color\s*=\s*(?:"([^"<>]*)"|'([^'<>]*)'|([^\s"'<>]+))\s*>/i;
const MARKUP_START: ReadonlySet<string> = new Set(['`', '*', '!', '[', '<']);
const FONT_CLASSES: Record<string, ViewClass> = {
  info: 'font-info',
  comment: 'font-comment',
  warning: 'font-warning',
};

/** Inline markup of one line. Unmatched or unsafe markup stays as the literal text the client would show. */
function inline(s: string, dialect: WecomDialect): ViewNode[] {
  const out: ViewNode[] = [];
  let text = '';
  const push = (node: ViewNode, consumed: number) => {
    if (text) out.push(text);
    text = '';
    out.push(node);
    return consumed;
  };
  for (let i = 0; i < s.length;) {
    const consumed = MARKUP_START.has(s[i]!) ? inlineAt(s.slice(i), dialect, push) : 0;
    if (consumed > 0) {
      i += consumed;
    } else {
      text += s[i];
      i++;
    }
  }
  if (text) out.push(text);
  return out;
}

type Push = (node: ViewNode, consumed: number) => number;

// Returns how many characters of `rest` became a node (0: the first character is plain text).
function inlineAt(rest: string, dialect: WecomDialect, push: Push): number {
  const c = rest[0];
  if (c === '`') {
    const end = rest.indexOf('`', 1);
    return end > 1 ? push(el('code', [rest.slice(1, end)]), end + 1) : 0;
  }
  if (c === '*' && rest[1] === '*') {
    const end = rest.indexOf('**', 2);
    return end > 2 ? push(el('strong', inline(rest.slice(2, end), dialect)), end + 2) : 0;
  }
  if (c === '*' && dialect === 'markdown_v2') {
    const m = ITALIC.exec(rest);
    return m ? push(el('em', inline(m[1]!, dialect)), m[0].length) : 0;
  }
  if (c === '!' && dialect === 'markdown_v2') {
    // Images are not fetched: the page stays offline, and loading a URL from event text would tell its owner who
    // is looking. The alt text and the address are shown instead.
    const m = IMAGE.exec(rest);
    const href = m ? safeHref(m[2]!) : null;
    if (!m || !href) return 0;
    return push(el('a', [`🖼 ${m[1] || 'image'}`], { href, cls: 'placeholder' }), m[0].length);
  }
  if (c === '[') {
    const m = LINK.exec(rest);
    const href = m ? safeHref(m[2]!) : null;
    return m && href ? push(el('a', [m[1] || href], { href }), m[0].length) : 0;
  }
  if (c === '<' && dialect === 'markdown') return fontOrMention(rest, push);
  return 0;
}

function fontOrMention(rest: string, push: Push): number {
  const mention = MENTION.exec(rest);
  if (mention) return push(el('span', [`@${mention[1]}`], { cls: 'mention' }), mention[0].length);
  const open = FONT_OPEN.exec(rest);
  if (!open) return 0;
  const close = matchingFontClose(rest, open[0].length);
  if (close < 0) return 0;
  const color = (open[1] ?? open[2] ?? open[3] ?? '').trim().toLowerCase();
  const inner = inline(rest.slice(open[0].length, close), 'markdown');
  // Colours outside WeCom's three are not shown as colours; the text stays, the tag does not.
  return push(el('span', inner, { cls: FONT_CLASSES[color] ?? 'font-other' }), close + '</font>'.length);
}

// Index of the `</font>` that closes the tag opened before `from`, counting nested `<font` tags; -1 when unbalanced.
function matchingFontClose(s: string, from: number): number {
  const tags = /<font\b|<\/font>/gi;
  tags.lastIndex = from;
  let depth = 1;
  for (let m = tags.exec(s); m; m = tags.exec(s)) {
    depth += m[0].startsWith('</') ? -1 : 1;
    if (depth === 0) return m.index;
  }
  return -1;
}
