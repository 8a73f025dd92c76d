import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { messageView, toHtml, type ViewNode } from '../../../local/preview-page/index.ts';

const html = (msgtype: string, payload: Record<string, unknown>) => toHtml(messageView(msgtype, payload));

describe('messageView', () => {
  it('shows text literally, with <@userid> in the content highlighted and the mention lists appended', () => {
    assert.equal(
      html('text', {
        content: '**not bold** <b>x</b> <@lisi>',
        mentioned_list: ['wangqing', '@all', 'wangqing'],
        mentioned_mobile_list: ['13800001111'],
      }),
      '<div class="text-body">**not bold** &lt;b&gt;x&lt;/b&gt; <span class="mention">@lisi</span></div>' +
        '<div class="mentions"><span class="mention">@wangqing</span> <span class="mention">@all</span> ' +
        '<span class="mention">@13800001111</span></div>',
    );
  });

  it('ignores mention lists that are not lists of strings', () => {
    assert.equal(
      html('text', { content: 'hi', mentioned_list: 'wangqing', mentioned_mobile_list: [1, null, ''] }),
      '<div class="text-body">hi</div>',
    );
  });

  it('renders markdown and markdown_v2 in their own dialects', () => {
    assert.equal(
      html('markdown', { content: '<@a>' }),
      '<div class="md-line"><span class="mention">@a</span></div>',
    );
    assert.equal(html('markdown_v2', { content: '<@a>' }), '<p>&lt;@a&gt;</p>');
  });

  it('shows news articles as titles linked only to http(s), with their descriptions', () => {
    assert.equal(
      html('news', {
        articles: [
          { title: 'Deploy', description: 'v2 rolled out', url: 'https://ci.example.com/1' },
          { title: '<b>t</b>', url: 'javascript:alert(1)' },
        ],
      }),
      '<div class="news"><a href="https://ci.example.com/1" rel="noopener noreferrer nofollow" target="_blank">' +
        '<strong>Deploy</strong></a><div>v2 rolled out</div></div>' +
        '<div class="news"><strong>&lt;b&gt;t&lt;/b&gt;</strong></div>',
    );
  });

  it('shows a placeholder for msgtypes a preview cannot show', () => {
    assert.equal(
      html('image', { base64: 'x', md5: 'y' }),
      '<span class="placeholder">[image message]</span>',
    );
  });
});

describe('toHtml', () => {
  it('shows an element outside the allow-list as its text', () => {
    const hostile = [
      { tag: 'script', children: ['alert(1)'] },
      { tag: 'a', href: 'javascript:alert(1)', children: ['click'] },
      { tag: 'span', cls: 'x" onclick="y', children: ['c'] },
      { tag: 'strong', href: 'https://example.com/', children: ['d'] },
    ] as unknown as ViewNode[];
    assert.equal(toHtml(hostile), 'alert(1)clickcd');
  });
});
