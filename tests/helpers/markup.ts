import assert from 'node:assert/strict';
import fc from 'fast-check';

/**
 * Every way escaped text could still be chat markup, written independently of the escapers: `null` when `text`
 * has none. `markdown` covers links, images, headings, emphasis, code, quotes, lists, tables and HTML-ish tags.
 */
export function markdownSyntax(text: string): string | null {
  const char = /[<>[\]*`#~|\\]/.exec(text);
  if (char) return `markup character ${JSON.stringify(char[0])}`;
  if (/(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])/.test(text)) return 'emphasis underscore';
  if (/&#?[A-Za-z0-9]+;/.test(text)) return 'entity';
  // A line may start with no-break spaces (escaped indentation), but never with other blanks or a marker after them.
  for (const line of text.split('\n')) {
    if (/^\u00A0*(?:[^\S\n\u00A0]|[-+=]|\d+[.)])/.test(line))
      return `line start ${JSON.stringify(line.slice(0, 8))}`;
  }
  return null;
}

/** A tag (`<at …>`, `<a href>`, `<font>`): what plain-text channels still parse. */
export function tagSyntax(text: string): string | null {
  return /[<>]/.test(text) ? 'angle bracket' : null;
}

/** An `@`, which DingTalk reads as a mention next to a listed id. */
export function atSign(text: string): string | null {
  return text.includes('@') ? 'at sign' : null;
}

/** Controls, bidi overrides, line separators and lone surrogates, which no escaped text may keep. */
export function unsafe(text: string): string | null {
  const control =
    // eslint-disable-next-line no-control-regex -- looking for control characters is the point
    /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u200E\u200F\u202A-\u202E\u2066-\u2069\u2028\u2029]/.exec(text);
  if (control) return `control U+${control[0].charCodeAt(0).toString(16)}`;
  if (!(text as unknown as { isWellFormed(): boolean }).isWellFormed()) return 'lone surrogate';
  return null;
}

/** Event text an attacker would write: each platform's mention and markup syntax, and arbitrary strings. */
export const HOSTILE = [
  '<at user_id="all"></at>',
  '<at user_id="all">所有人</at>',
  '<at id=all></at>',
  '@13800001111 @all @所有人',
  '<a href="http://evil">click</a>',
  '[x](http://evil) ![img](http://evil/x.png)',
  '# heading\n### 标题',
  '<font color="#ff0000">red</font>',
  '**bold** *it* _it_ ~~strike~~',
  '`code` ```\nfence\n```',
  '> quote\n- item\n1. item',
  '| a | b |',
  'NUL\u0000 ESC\u001b[31m LS\u2028# h bidi \u202Egnp.exe lone \ud800',
];

/** Arbitrary strings over an alphabet of markup characters, plus arbitrary UTF-16 and graphemes. */
export function hostileText(alphabet: string) {
  return fc.oneof(
    fc.string({ unit: fc.constantFrom(...alphabet.split('')), maxLength: 60 }),
    fc.string({ unit: 'binary', maxLength: 60 }),
    fc.string({ unit: 'grapheme', maxLength: 40 }),
  );
}

const ALPHABET = '<>[]*`#~|\\&_-+=.)1 \t\n\r\u0000\u2028\u00A0a;@"/=()!';

/** Asserts that `escape` leaves none of `checks`' syntax, for the hostile samples and 1000 arbitrary strings. */
export function assertNeutralizes(
  escape: (text: string) => string,
  checks: ReadonlyArray<(text: string) => string | null>,
): void {
  const check = (text: string) => {
    const out = escape(text);
    for (const found of [...checks, unsafe].map((c) => c(out)))
      assert.equal(found, null, JSON.stringify(out));
  };
  for (const text of HOSTILE) check(text);
  fc.assert(fc.property(hostileText(ALPHABET), check), { numRuns: 1000 });
}
