// Longer than our ~250-line guide on purpose: the three msgtypes' escapers share one character table and one
// scanner (escapeMarkup), whose byte-bounded variant the fitter uses; their idempotence, which the fitter relies
// on, is a property of the whole set and is easier to keep when they sit together.
import type { Msgtype } from '../bundle/index.ts';
import { cutIndex } from './bytes.ts';

/**
 * Escaping of untrusted event text for each WeCom msgtype. WeCom's markdown dialects are undocumented beyond a short
 * list of constructs, and whether they honour backslash escapes or HTML entities is unknown (docs/wecom.md, Markdown dialects), so
 * markup characters are replaced by look-alike characters that no renderer treats as syntax. Every escaper here is
 * idempotent (escaping escaped text changes nothing), which lets the fitter pre-escape a value it truncates.
 */

// C0/C1 controls except \t and \n, bidi overrides (they can disguise text), and line/paragraph separators (they act
// as newlines in some renderers and would dodge the line-start rules). Lone surrogates (not encodable as UTF-8)
// are left to the native well-formedness check: emoji are surrogate pairs, and a plain character class keeps
// these tests on V8's fast path, so the common value — a name, a reason — costs one scan and no allocation.
const UNSAFE =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u200E\u200F\u202A-\u202E\u2066-\u2069\u2028\u2029]/;
const UNSAFE_G = new RegExp(UNSAFE.source, 'g');
const TEXT_SUSPECT =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u200E\u200F\u202A-\u202E\u2066-\u2069\u2028\u2029<>]/;
const MARKDOWN_SUSPECT =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u200E\u200F\u202A-\u202E\u2066-\u2069\u2028\u2029<>[\]*`#~|\\&_]/;
// What a line-start construct begins with: whitespace, `-`, `+`, `=`, or digits before `.` or `)`. Counts and
// times start with digits and take the fast path; anything else `lineStartAt` would change is caught by
// MARKDOWN_SUSPECT (controls, bidi characters).
const LINE_START_CONSTRUCT = /^(?:[\s\-+=]|\d+[.)])/;

// ES2024 string methods, present in Node 20 but not in the ES2023 lib the project compiles against.
type WellFormed = { isWellFormed(): boolean; toWellFormed(): string };

function isWellFormed(text: string): boolean {
  return (text as unknown as WellFormed).isWellFormed();
}

function toWellFormed(text: string): string {
  return (text as unknown as WellFormed).toWellFormed();
}

function replaceUnsafe(ch: string): string {
  return ch === '\u2028' || ch === '\u2029' ? '\n' : '';
}

/** Removes control characters and bidi overrides, replaces lone surrogates by U+FFFD; `\r\n` becomes `\n`. */
export function sanitize(text: string): string {
  const out = isWellFormed(text) ? text : toWellFormed(text);
  return UNSAFE.test(out) ? out.replace(UNSAFE_G, replaceUnsafe) : out;
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

const MARKER: Record<string, string> = { '-': '－', '+': '＋', '=': '＝', '.': '．', ')': '）' };

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** What `sanitize` deletes: controls other than \t and \n, and bidi controls. */
function isRemoved(c: number): boolean {
  return (
    (c < 32 && c !== 9 && c !== 10) ||
    (c >= 0x7f && c <= 0x9f) ||
    c === 0x200e ||
    c === 0x200f ||
    (c >= 0x202a && c <= 0x202e) ||
    (c >= 0x2066 && c <= 0x2069)
  );
}

/** Whitespace other than a newline (what JavaScript's `\s` holds once `sanitize` removed the controls). */
function isBlank(c: number): boolean {
  return (
    c === 32 ||
    c === 9 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

const ENTITY_TAIL = /^#?[A-Za-z0-9]+;/;

// ASCII code → 1 when the character may need a look-alike: the per-character test of the escaping scan.
const MARKUP = new Uint8Array(128);
for (const ch of Object.keys(LOOKALIKE)) MARKUP[ch.charCodeAt(0)] = 1;

/** The replacement of a markup character at `i`, or undefined to keep it. */
function markupAt(text: string, i: number, c: number): string | undefined {
  const ch = text[i]!;
  const replacement = LOOKALIKE[ch];
  if (replacement === undefined) return undefined;
  // `_` between two letters/digits (MY_VAR) cannot start emphasis in any markdown flavour, so it stays readable;
  // `&` only matters when it could start an entity.
  if (c === 95 && isAlnum(text.charCodeAt(i - 1)) && isAlnum(text.charCodeAt(i + 1))) return undefined;
  if (c === 38 && !ENTITY_TAIL.test(sanitize(text.slice(i + 1, i + 40)))) return undefined;
  return replacement;
}

/**
 * Neutralizes what only means something at the start of a line: indented code (leading blanks become no-break
 * spaces), lists (`-`, `+`, `1.`, `1)`) and setext headings (`===`, `---`). Returns the replacement and where the
 * scan continues, or undefined when the line starts with plain text.
 */
function lineStartAt(text: string, i: number): [string, number] | undefined {
  let j = i;
  let indent = '';
  // Removed characters are skipped too, or `\n\u0000- x` would become a list item once the NUL is gone.
  for (let c = text.charCodeAt(j); isBlank(c) || isRemoved(c); c = text.charCodeAt(++j)) {
    if (isBlank(c)) indent += c === 9 ? '\u00A0\u00A0' : '\u00A0';
  }
  const c = text.charCodeAt(j);
  if (c === 45 || c === 43 || c === 61) return [indent + MARKER[text[j]!]!, j + 1];
  if (isDigit(c)) {
    // Removed characters inside the number count as gone: `1\u0000.` becomes `1.` once the NUL is removed.
    let k = j;
    let digits = '';
    for (let d = text.charCodeAt(k); isDigit(d) || isRemoved(d); d = text.charCodeAt(++k)) {
      if (isDigit(d)) digits += text[k];
    }
    const dot = text[k];
    if (dot === '.' || dot === ')') return [indent + digits + MARKER[dot]!, k + 1];
  }
  // Already no-break spaces (text escaped before): nothing to change.
  return j > i && indent !== text.slice(i, j) ? [indent, j] : undefined;
}

/** The escape of a prefix of a text: the escaped text, and where in the original text that prefix ends. */
export interface EscapedPrefix {
  escaped: string;
  end: number;
}

/** UTF-8 bytes of the UTF-16 unit `c` (4 for the high half of a pair, which then takes its low half along). */
function unitBytes(c: number): number {
  return c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c <= 0xdbff ? 4 : 3;
}

/**
 * The markdown escaper's work, one pass that also does `sanitize`'s removals (on well-formed text): three regex
 * passes with callbacks cost several times more on a multi-kilobyte stack trace, the message most in need of
 * escaping and fitting. With a finite `maxBytes` it stops before the output would exceed that many UTF-8 bytes, so
 * fitting a long message escapes only what can be shown; look-ahead (`_`, `&`, line starts) still reads the text
 * past that point, so the result is exactly a prefix of the whole text's escape.
 */
function escapeMarkup(text: string, maxBytes: number): EscapedPrefix {
  const budgeted = maxBytes !== Infinity;
  let out = '';
  let outBytes = 0;
  let from = 0;
  let lineStart = true;
  // Kept characters take at least a byte each, so a run longer than the bytes left cannot fit: the scan stops there.
  let bound = Math.min(text.length, maxBytes + 1);
  let i = 0;
  for (; i < bound; i++) {
    let replacement: string | undefined;
    let next = i + 1;
    if (lineStart) {
      lineStart = false;
      const found = lineStartAt(text, i);
      if (found) [replacement, next] = found;
    }
    if (replacement === undefined) {
      const c = text.charCodeAt(i);
      if (c === 10) {
        lineStart = true;
        continue;
      }
      if (c <= 126) {
        if (MARKUP[c] === 0 && (c >= 32 || c === 9)) continue;
        replacement = c < 32 ? '' : markupAt(text, i, c);
        if (replacement === undefined) continue;
      } else if (isRemoved(c)) replacement = '';
      else if (c === 0x2028 || c === 0x2029) {
        replacement = '\n';
        lineStart = true;
      } else continue;
    }
    const run = text.slice(from, i);
    if (budgeted) {
      const runBytes = utf8Length(run);
      const width = utf8Length(replacement);
      if (outBytes + runBytes + width > maxBytes) return cutRun(out, outBytes, run, from, maxBytes);
      outBytes += runBytes + width;
      bound = Math.min(text.length, next + maxBytes - outBytes + 1);
    }
    out += run + replacement;
    from = next;
    i = next - 1;
  }
  const run = text.slice(from, i);
  if (budgeted && outBytes + utf8Length(run) > maxBytes) return cutRun(out, outBytes, run, from, maxBytes);
  return { escaped: from === 0 ? run : out + run, end: i };
}

/** Ends an escape inside a run of kept characters, at the last whole character that fits. */
function cutRun(out: string, outBytes: number, run: string, from: number, maxBytes: number): EscapedPrefix {
  const keep = cutIndex(run, maxBytes - outBytes);
  return { escaped: out + run.slice(0, keep), end: from + keep };
}

function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

// Fitting measures the long message the template just escaped, then has the template escape the cut (already
// escaped) message; remembering the last long result makes both passes free.
let lastIn = '';
let lastOut = '';
const REMEMBERED_LENGTH = 256;

/**
 * Declares `text` already escaped for markdown, so the next `escapeMarkdown(text)` returns it without a pass. For
 * the fitter's cut of an escaped message: a prefix of escaped text stays escaped, except a kept `_` whose right
 * neighbour the cut replaced (the caller cuts before it).
 */
export function rememberEscaped(text: string): void {
  lastIn = text;
  lastOut = text;
}

// Short values (reasons, kinds, namespaces, components, hosts, times) recur across the events of a batch and across
// a digest's renders; a look-up costs a fraction of the checks below. Bounded like the formatters' caches.
const SHORT_VALUE = 64;
const MAX_KNOWN = 4096;
const knownShort = new Map<string, string>();

/**
 * Escapes a value for `markdown` and `markdown_v2`: it can no longer form a mention (`<@all>`), a `<font>` tag, a
 * link or image, a heading, bold/italic, inline code or a fence, a quote, a list, a table cell or an indented code
 * block. Newlines are kept, so multi-line messages stay readable.
 */
export function escapeMarkdown(text: string): string {
  if (text.length > SHORT_VALUE) return escapeMarkdownValue(text);
  let out = knownShort.get(text);
  if (out === undefined) {
    out = escapeMarkdownValue(text);
    if (knownShort.size >= MAX_KNOWN) knownShort.clear();
    knownShort.set(text, out);
  }
  return out;
}

function escapeMarkdownValue(text: string): string {
  // First: the fitter's cut message is long, and is escaped already (see `rememberEscaped`).
  if (text === lastIn) return lastOut;
  const wellFormed = isWellFormed(text);
  if (
    wellFormed &&
    !text.includes('\n') &&
    !LINE_START_CONSTRUCT.test(text) &&
    !MARKDOWN_SUSPECT.test(text)
  ) {
    return text;
  }
  const out = escapeMarkup(wellFormed ? text : toWellFormed(text), Infinity).escaped;
  // Only a long value is worth remembering, and short ones (a count, a time) must not push it out.
  if (text.length >= REMEMBERED_LENGTH) {
    lastIn = text;
    lastOut = out;
  }
  return out;
}

const TEXT_CHARS = /[<>]/;
const TEXT_CHARS_G = /[<>]/g;

/**
 * Escapes a value for `text`. Text content is shown literally except `<@userid>`, which the official doc lists as a
 * mention syntax for text too (docs/wecom.md, Mentions), so angle brackets are replaced.
 */
export function escapeText(text: string): string {
  if (!TEXT_SUSPECT.test(text) && isWellFormed(text)) return text;
  const out = sanitize(text);
  return TEXT_CHARS.test(out) ? out.replace(TEXT_CHARS_G, lookalike) : out;
}

/**
 * `escapeMarkdown` of the longest prefix of `text` whose escape takes at most `maxBytes` UTF-8 bytes, and where
 * that prefix ends: for fitting a long message without escaping the part that is cut.
 */
export function escapeMarkdownWithin(text: string, maxBytes: number): EscapedPrefix {
  return escapeMarkup(isWellFormed(text) ? text : toWellFormed(text), maxBytes);
}

/** `escapeText` of the longest prefix of `text` whose escape takes at most `maxBytes` UTF-8 bytes, and its end. */
export function escapeTextWithin(text: string, maxBytes: number): EscapedPrefix {
  // `toWellFormed` keeps every index; `escapeText` works character by character, so a prefix escapes alike.
  const wellFormed = isWellFormed(text) ? text : toWellFormed(text);
  let bytes = 0;
  let i = 0;
  for (; i < wellFormed.length; i++) {
    const c = wellFormed.charCodeAt(i);
    const width =
      c === 60 || c === 62 ? 3 : c === 0x2028 || c === 0x2029 ? 1 : isRemoved(c) ? 0 : unitBytes(c);
    if (bytes + width > maxBytes) break;
    bytes += width;
    if (width === 4) i++;
  }
  return { escaped: escapeText(wellFormed.slice(0, i)), end: i };
}

/** The escaper for values interpolated into content of each msgtype. */
export const ESCAPERS: Record<Msgtype, (text: string) => string> = {
  text: escapeText,
  markdown: escapeMarkdown,
  markdown_v2: escapeMarkdown,
};

/** `ESCAPERS`' prefix forms, for the fitter. */
export const PREFIX_ESCAPERS: Record<Msgtype, (text: string, maxBytes: number) => EscapedPrefix> = {
  text: escapeTextWithin,
  markdown: escapeMarkdownWithin,
  markdown_v2: escapeMarkdownWithin,
};

/** Escapes text for the inside of a JSON string literal (no surrounding quotes), for full-body templates. */
export function escapeJsonString(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}
