import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { markdownSyntax } from '../../helpers/markup.ts';
import {
  escapeMarkdown,
  escapeMarkdownWithin,
  escapeText,
  escapeTextWithin,
  sanitize,
} from '../../../functions/render/index.ts';

function unsafe(text: string): string | null {
  const control =
    // eslint-disable-next-line no-control-regex -- looking for control characters is the point
    /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u200E\u200F\u202A-\u202E\u2066-\u2069\u2028\u2029]/.exec(text);
  if (control) return `control U+${control[0].charCodeAt(0).toString(16)}`;
  if (!(text as unknown as { isWellFormed(): boolean }).isWellFormed()) return 'lone surrogate';
  return null;
}

/** Strings of markup-prone characters from `alphabet`, arbitrary UTF-16 and arbitrary graphemes. */
function hostileText(alphabet: string[], maxLength: number) {
  return fc.oneof(
    fc.string({ unit: fc.constantFrom(...alphabet), maxLength }),
    fc.string({ unit: 'binary', maxLength: 60 }),
    fc.string({ unit: 'grapheme', maxLength: 40 }),
  );
}

const HOSTILE = [
  '<@all>',
  '<@wangqing>',
  '[x](http://evil)',
  '![img](http://evil/x.png)',
  '# heading',
  '### 标题',
  '<font color="warning">red</font>',
  '**bold** and __bold__ and *it* and _it_',
  '`code` and ```\nfence\n```',
  '~~~\nfence\n~~~',
  '> quote\n>> nested',
  '- item\n+ item\n1. item\n2) item',
  'title\n===\nsub\n---',
  '    indented code\n\tindented too',
  '| a | b |\n| :- | -: |',
  '{{ it.x }} <% it.x %> <%~ it.x %> ${process.exit()}',
  'NUL\u0000BEL\u0007ESC\u001b[31mred CR\r\nLS\u2028- list PS\u2029# h',
  'lone \ud800 high and \udc00 low, pair 🔥 ok',
  'bidi \u202Egnp.exe',
  '&lt;@all&gt; &#60;@all&#62; &amp;',
  '&lt\u0000;@all&gt;',
];

describe('escapeMarkdown', () => {
  for (const hostile of HOSTILE) {
    it(`leaves no markdown syntax and no unsafe character in ${JSON.stringify(hostile)}`, () => {
      const out = escapeMarkdown(hostile);
      assert.equal(markdownSyntax(out), null, out);
      assert.equal(unsafe(out), null, out);
    });
  }

  it('keeps text readable: look-alikes, newlines and words survive', () => {
    assert.equal(escapeMarkdown('<@all> [x](http://evil)'), '＜@all＞ ［x］(http://evil)');
    assert.equal(escapeMarkdown('# 标题\n- 项目'), '＃ 标题\n－ 项目');
    assert.equal(escapeMarkdown('MY_VAR=1 _x_'), 'MY_VAR=1 ＿x＿');
    assert.equal(escapeMarkdown('\tat Foo.run(Foo.java:1)'), '\u00A0\u00A0at Foo.run(Foo.java:1)');
    assert.equal(escapeMarkdown('a & b &amp;'), 'a & b ＆amp;');
  });

  it('keeps tabs inside a line', () => {
    assert.equal(escapeMarkdown('1\t.'), '1\t.');
  });

  it('returns plain values unchanged (same string)', () => {
    const plain = 'Back-off restarting failed container api in pod api-7d9f8c6b5-x2x8q 就绪探针失败 🔥';
    assert.equal(escapeMarkdown(plain), plain);
  });

  it('leaves counts, times and ages alone, but not digits that make a list item', () => {
    for (const value of ['12', '2026-11-27 18:00:00', '3m ago']) assert.equal(escapeMarkdown(value), value);
    assert.equal(escapeMarkdown('1. item'), '1． item');
    assert.equal(escapeMarkdown('12) item'), '12） item');
  });

  it('never produces markdown syntax or unsafe characters, for any string (property)', () => {
    const hostile = hostileText('<>[]*`#~|\\&_-+=.)1 \t\n\r\u0000\u2028\u00A0a;@'.split(''), 60);
    fc.assert(
      fc.property(hostile, (text) => {
        const out = escapeMarkdown(text);
        assert.equal(markdownSyntax(out), null, JSON.stringify(out));
        assert.equal(unsafe(out), null, JSON.stringify(out));
      }),
      { numRuns: 2000 },
    );
  });

  it('leaves a value alone only when the full escaping pass would not change it either (property)', () => {
    // Short values, so that line starts, lone surrogates and bidi controls are often the whole of one.
    const values = hostileText(
      [
        ...'<>[]*`#~|\\&_-+=.)19 \t\n\r\u000b\u0000\u0085\u2028\u200e\u202a\u2066\u2069\u3000\u00A0\ufeffa;@中'.split(
          '',
        ),
        '😀',
        '\ud800',
        '\udc00',
      ],
      12,
    );
    fc.assert(
      fc.property(values, (text) => {
        assert.equal(
          escapeMarkdown(text),
          escapeMarkdownWithin(text, Infinity).escaped,
          JSON.stringify(text),
        );
      }),
      { numRuns: 5000 },
    );
  });

  it('escapes a recurring value alike every time, also once many other values came between', () => {
    const values = ['- item', '*bold*', 'plain', '1. first'];
    const first = values.map(escapeMarkdown);
    for (let i = 0; i < 10_000; i++) escapeMarkdown(`_value ${i}_`);
    assert.deepEqual(values.map(escapeMarkdown), first);
    assert.deepEqual(first, ['－ item', '＊bold＊', 'plain', '1． first']);
  });

  it('is idempotent, so the fitter may pre-escape a message it cuts (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (text) => {
        const once = escapeMarkdown(text);
        assert.equal(escapeMarkdown(once), once);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('escapeText', () => {
  it('breaks <@userid>, which text content also honours, and strips unsafe characters', () => {
    assert.equal(escapeText('<@all> a\u0000b \ud800'), '＜@all＞ ab \uFFFD');
  });

  it('keeps markdown characters, which text shows literally', () => {
    assert.equal(escapeText('# **x** [a](b)'), '# **x** [a](b)');
  });
});

describe('sanitize', () => {
  it('turns CRLF into LF, line separators into LF and lone surrogates into U+FFFD', () => {
    assert.equal(sanitize('a\r\nb\u2028c\udc00'), 'a\nb\nc\uFFFD');
  });
});

describe('escaping within a byte budget (for fitting long messages)', () => {
  const alphabet = fc.constantFrom(...'<>[]*`#~|\\&_-+=.)1 \t\n\r\u0000\u2028\u00A0a;@中😀'.split(''));
  const hostile = fc.oneof(
    fc.string({ unit: alphabet, maxLength: 80 }),
    fc.string({ unit: 'binary', maxLength: 80 }),
    fc.string({ unit: 'grapheme', maxLength: 40 }),
  );
  const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

  for (const [name, escape, within] of [
    ['markdown', escapeMarkdown, escapeMarkdownWithin],
    ['text', escapeText, escapeTextWithin],
  ] as const) {
    it(`${name}: a prefix of the whole escape, within the budget, growing with it, whole when it fits (property)`, () => {
      fc.assert(
        fc.property(
          hostile,
          fc.integer({ min: 0, max: 120 }),
          fc.integer({ min: 1, max: 40 }),
          (text, maxBytes, more) => {
            const whole = escape(text);
            const { escaped, end } = within(text, maxBytes);
            assert.ok(whole.startsWith(escaped), JSON.stringify({ whole, escaped }));
            assert.ok(bytes(escaped) <= maxBytes);
            assert.ok(end >= 0 && end <= text.length);
            assert.ok(within(text, maxBytes + more).escaped.startsWith(escaped));
            assert.deepEqual(within(text, bytes(whole)), { escaped: whole, end: text.length });
            if (end === text.length) assert.equal(escaped, whole);
          },
        ),
        { numRuns: 1500 },
      );
    });
  }

  it('stops inside a long run of plain text at the last whole character that fits', () => {
    const text = `${'a'.repeat(10)}中😀${'b'.repeat(5000)}`;
    assert.deepEqual(escapeMarkdownWithin(text, 12), { escaped: 'a'.repeat(10), end: 10 });
    assert.deepEqual(escapeMarkdownWithin(text, 13), { escaped: `${'a'.repeat(10)}中`, end: 11 });
    assert.deepEqual(escapeMarkdownWithin(text, 17), { escaped: `${'a'.repeat(10)}中😀`, end: 13 });
    assert.deepEqual(escapeTextWithin(text, 16), { escaped: `${'a'.repeat(10)}中`, end: 11 });
  });
});
