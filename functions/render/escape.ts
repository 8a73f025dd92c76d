import type { Msgtype } from '../rules/index.ts';

/**
 * Escaping of untrusted event text for each WeCom msgtype. WeCom's markdown dialects are undocumented beyond a short
 * list of constructs, and whether they honour backslash escapes or HTML entities is unknown (research/wecom.md §6), so
 * markup characters are replaced by look-alike characters that no renderer treats as syntax. Every escaper here is
 * idempotent (escaping escaped text changes nothing), which lets the fitter pre-escape a value it truncates.
 */

// C0/C1 controls except \t and \n, bidi overrides (they can disguise text), line/paragraph separators (they act as
// newlines in some renderers and would dodge the line-start rules), and lone surrogates (not encodable as UTF-8).
const UNSAFE =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u200E\u200F\u202A-\u202E\u2066-\u2069\u2028\u2029]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const UNSAFE_G = new RegExp(UNSAFE.source, 'g');

function replaceUnsafe(ch: string): string {
  const code = ch.charCodeAt(0);
  if (code >= 0xd800 && code <= 0xdfff) return '\uFFFD';
  if (code === 0x2028 || code === 0x2029) return '\n';
  return '';
}

/** Removes control characters, bidi overrides and lone surrogates (→ U+FFFD); `\r\n` becomes `\n`. */
export function sanitize(text: string): string {
  return UNSAFE.test(text) ? text.replace(UNSAFE_G, replaceUnsafe) : text;
}

const LOOKALIKE: Record<string, string> = {
  '<': '＜',
  '>': '＞',
  '[': '［',
  ']': '］',
  '*': '＊',
  '`': '｀',
  '#': '＃',
  '~': '～',
  '|': '｜',
  '\\': '＼',
  '&': '＆',
  _: '＿',
};

function lookalike(ch: string): string {
  return LOOKALIKE[ch]!;
}

// `_` between two letters/digits (MY_VAR) cannot start emphasis in any markdown flavour, so it stays readable; `&`
// only matters when it could start an entity.
const MARKDOWN_CHARS = /[<>[\]*`#~|\\]|&(?=#?[A-Za-z0-9]+;)|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])/;
const MARKDOWN_CHARS_G = new RegExp(MARKDOWN_CHARS.source, 'g');

// Constructs that only exist at the start of a line: indented code (leading blanks), lists (-, +, 1.), setext
// headings (=== / --- under a line). Any line of a value may land at a line start, including its first.
const LINE_START = /^(?:[^\S\n]|[-+=]|\d+[.)])/m;
const LINE_START_G = /^([^\S\n]*)(?:([-+=])|(\d+)([.)]))?/gm;
const MARKER: Record<string, string> = { '-': '－', '+': '＋', '=': '＝', '.': '．', ')': '）' };

function neutralizeLineStart(
  _match: string,
  blanks: string,
  bullet: string | undefined,
  digits: string | undefined,
  dot: string | undefined,
): string {
  const indent = blanks.replace(/\t/g, '\u00A0\u00A0').replace(/[^\S\n\u00A0]/g, '\u00A0');
  if (bullet) return indent + MARKER[bullet]!;
  if (digits) return indent + digits + MARKER[dot!]!;
  return indent;
}

/**
 * Escapes a value for `markdown` and `markdown_v2`: it can no longer form a mention (`<@all>`), a `<font>` tag, a
 * link or image, a heading, bold/italic, inline code or a fence, a quote, a list, a table cell or an indented code
 * block. Newlines are kept, so multi-line messages stay readable.
 */
export function escapeMarkdown(text: string): string {
  let out = sanitize(text);
  if (MARKDOWN_CHARS.test(out)) out = out.replace(MARKDOWN_CHARS_G, lookalike);
  if (LINE_START.test(out)) out = out.replace(LINE_START_G, neutralizeLineStart);
  return out;
}

const TEXT_CHARS = /[<>]/;
const TEXT_CHARS_G = /[<>]/g;

/**
 * Escapes a value for `text`. Text content is shown literally except `<@userid>`, which the official doc lists as a
 * mention syntax for text too (research/wecom.md §5), so angle brackets are replaced.
 */
export function escapeText(text: string): string {
  const out = sanitize(text);
  return TEXT_CHARS.test(out) ? out.replace(TEXT_CHARS_G, lookalike) : out;
}

/** The escaper for values interpolated into content of each msgtype. */
export const ESCAPERS: Record<Msgtype, (text: string) => string> = {
  text: escapeText,
  markdown: escapeMarkdown,
  markdown_v2: escapeMarkdown,
};

/** Escapes text for the inside of a JSON string literal (no surrounding quotes), for full-body templates. */
export function escapeJsonString(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}
