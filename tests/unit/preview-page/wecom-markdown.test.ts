import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { renderWecomMarkdown } from '../../../local/preview-page/index.ts';

const md = (text: string) => renderWecomMarkdown(text, 'markdown');
const v2 = (text: string) => renderWecomMarkdown(text, 'markdown_v2');
const line = (html: string) => `<div class="md-line">${html}</div>`;
const LINK_ATTRS = 'rel="noopener noreferrer nofollow" target="_blank"';

describe('renderWecomMarkdown: legacy markdown', () => {
  const cases: Array<[string, string, string]> = [
    [
      'headings need a space after #',
      '# Title\n#NoSpace\n###### six\n####### seven',
      '<h1>Title</h1>' + line('#NoSpace') + '<h6>six</h6>' + line('####### seven'),
    ],
    ['bold', 'a **b** c', line('a <strong>b</strong> c')],
    ['unclosed bold stays literal', 'a **b', line('a **b')],
    [
      'inline code keeps its text literal',
      'run `kubectl get **pods**`',
      line('run <code>kubectl get **pods**</code>'),
    ],
    ['quotes', '> Pod **x**\n> second', '<blockquote>Pod <strong>x</strong><br>second</blockquote>'],
    [
      'every newline is a line break, a blank line a gap',
      'a\n\nb',
      line('a') + '<div class="md-gap"></div>' + line('b'),
    ],
    ['info is green', '<font color="info">ok</font>', line('<span class="font-info">ok</span>')],
    ['comment is grey', "<font color='comment'>x</font>", line('<span class="font-comment">x</span>')],
    ['warning is orange-red', '<font color=warning>W</font>', line('<span class="font-warning">W</span>')],
    [
      'other colours keep the text without colour',
      '<font color="red">r</font>',
      line('<span class="font-other">r</span>'),
    ],
    [
      'font nests and contains bold',
      '<font color="info">a <font color="warning">**b**</font></font>',
      line('<span class="font-info">a <span class="font-warning"><strong>b</strong></span></span>'),
    ],
    ['mentions are highlighted', 'owner: <@wangqing>', line('owner: <span class="mention">@wangqing</span>')],
    [
      'http(s) links',
      '[runbook](https://example.com/a?b=1&c=2)',
      line(`<a href="https://example.com/a?b=1&amp;c=2" ${LINK_ATTRS}>runbook</a>`),
    ],
    ['lists, italics and tables are not in the legacy subset', '- a\n*b*', line('- a') + line('*b*')],
    ['CRLF is a newline', 'a\r\nb', line('a') + line('b')],
  ];
  for (const [name, input, html] of cases) {
    it(name, () => assert.equal(md(input), html));
  }
});

describe('renderWecomMarkdown: markdown_v2', () => {
  const cases: Array<[string, string, string]> = [
    ['paragraphs join lines with breaks', 'a\nb\n\nc', '<p>a<br>b</p><p>c</p>'],
    ['italic and bold', '*i* **b**', '<p><em>i</em> <strong>b</strong></p>'],
    ['unordered and nested lists', '- a\n  - a1\n- b', '<ul><li>a<ul><li>a1</li></ul></li><li>b</li></ul>'],
    ['ordered lists', '1. one\n2. two', '<ol><li>one</li><li>two</li></ol>'],
    ['a switch between - and 1. starts a new list', '- a\n1. b', '<ul><li>a</li></ul><ol><li>b</li></ol>'],
    ['fenced code is literal', '```\n<b>**x**</b>\n```', '<pre><code>&lt;b&gt;**x**&lt;/b&gt;</code></pre>'],
    ['an unclosed fence runs to the end', '```\na\nb', '<pre><code>a\nb</code></pre>'],
    ['horizontal rule', 'a\n\n---\nb', '<p>a</p><hr><p>b</p>'],
    [
      'multi-level quotes nest',
      '> a\n>> b\n>>> c\n> d',
      '<blockquote>a<blockquote>b<blockquote>c</blockquote></blockquote>d</blockquote>',
    ],
    [
      'tables with alignment and short rows',
      '| a | b | c |\n| :- | :-: | -: |\n| 1 | **2** | 3 |\n| 4 |',
      '<table><thead><tr><th style="text-align:left">a</th><th style="text-align:center">b</th><th style="text-align:right">c</th></tr></thead>' +
        '<tbody><tr><td style="text-align:left">1</td><td style="text-align:center"><strong>2</strong></td><td style="text-align:right">3</td></tr>' +
        '<tr><td style="text-align:left">4</td><td style="text-align:center"></td><td style="text-align:right"></td></tr></tbody></table>',
    ],
    [
      'no font colours and no mentions',
      '<font color="info">x</font> <@a>',
      '<p>&lt;font color=&quot;info&quot;&gt;x&lt;/font&gt; &lt;@a&gt;</p>',
    ],
    [
      'images are shown as a link, never fetched',
      '![graph](https://grafana.example.com/x.png)',
      `<p><a class="placeholder" href="https://grafana.example.com/x.png" ${LINK_ATTRS}>🖼 graph</a></p>`,
    ],
  ];
  for (const [name, input, html] of cases) {
    it(name, () => assert.equal(v2(input), html));
  }
});

describe('renderWecomMarkdown: hostile content', () => {
  it('shows <script> and event-handler markup as text', () => {
    assert.equal(
      md('<script>alert(1)</script><img src=x onerror=alert(1)>'),
      line('&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;'),
    );
    assert.equal(v2('<svg onload=alert(1)>'), '<p>&lt;svg onload=alert(1)&gt;</p>');
  });

  it('never links to javascript:, data:, vbscript: or relative URLs', () => {
    // Without parentheses, so that only the scheme check can stop them.
    for (const url of [
      'javascript:window.x=1',
      'JaVaScRiPt:window.x=1',
      ' javascript:void0',
      'data:text/html;base64,PHNjcmlwdD4=',
      'vbscript:x',
      '/admin',
      '//evil.example',
    ]) {
      const html = md(`[x](${url})`) + v2(`![x](${url})`);
      assert.doesNotMatch(html, /<a /, url);
    }
  });

  it('escapes quotes in link targets so they cannot leave the attribute', () => {
    assert.equal(
      md('[x](https://example.com/"onmouseover="alert)'),
      line(`<a href="https://example.com/%22onmouseover=%22alert" ${LINK_ATTRS}>x</a>`),
    );
  });

  it('drops attributes other than color from a font tag and keeps an unbalanced one literal', () => {
    assert.equal(
      md('<font color="warning" onclick="x()">w</font>'),
      line('&lt;font color=&quot;warning&quot; onclick=&quot;x()&quot;&gt;w&lt;/font&gt;'),
    );
    assert.equal(md('<font color="warning">open'), line('&lt;font color=&quot;warning&quot;&gt;open'));
    assert.equal(md('close</font>'), line('close&lt;/font&gt;'));
    assert.equal(md('<@x onerror=y>'), line('&lt;@x onerror=y&gt;'));
  });

  it('produces only allow-listed markup for any input', () => {
    const tag =
      /<\/?(?:div|p|h[1-6]|strong|em|code|pre|span|blockquote|ul|ol|li|table|thead|tbody|tr|th|td|hr|br|a)(?: class="[a-z-]+"| href="https?:\/\/[^"<>]*" rel="noopener noreferrer nofollow" target="_blank"| style="text-align:(?:left|center|right)")*>/y;
    const pieces = fc.constantFrom(
      '<',
      '>',
      '"',
      "'",
      '&',
      '*',
      '`',
      '[',
      ']',
      '(',
      ')',
      '!',
      '#',
      '|',
      '-',
      ':',
      '\n',
      ' ',
      '>',
      'x',
      '<font color="info">',
      '</font>',
      '<@a>',
      'javascript:',
      'https://e.x/',
      '<script>',
      '---',
      '| :- |',
    );
    fc.assert(
      fc.property(
        fc.array(pieces, { maxLength: 40 }),
        fc.constantFrom('markdown', 'markdown_v2'),
        (parts, dialect) => {
          const html = renderWecomMarkdown(parts.join(''), dialect as 'markdown' | 'markdown_v2');
          for (let i = html.indexOf('<'); i >= 0; i = html.indexOf('<', i + 1)) {
            tag.lastIndex = i;
            assert.ok(tag.test(html), `unexpected markup at ${i} in ${html}`);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('handles deep nesting of font tags in a 4096-byte message', () => {
    const deep = '<font color="info">'.repeat(200) + 'x' + '</font>'.repeat(200);
    assert.equal((md(deep).match(/<span class="font-info">/g) ?? []).length, 200);
  });
});
