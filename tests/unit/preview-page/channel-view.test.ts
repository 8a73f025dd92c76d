import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { channelPreview } from '../../../local/preview-page/index.ts';

describe('the preview of another channel’s message', () => {
  it('shows DingTalk markdown as markdown and text as text', () => {
    assert.deepEqual(
      channelPreview('dingtalk', { msgtype: 'markdown', markdown: { title: 't', text: '### x' } }),
      {
        msgtype: 'markdown_v2',
        payload: { content: '### x' },
      },
    );
    assert.deepEqual(channelPreview('dingtalk', { msgtype: 'text', text: { content: 'x @138' } }).payload, {
      content: 'x @138',
    });
  });

  it('shows a Feishu post as its title and rows, with mentions as @id', () => {
    const body = {
      msg_type: 'post',
      content: {
        post: {
          zh_cn: {
            title: 'BackOff',
            content: [[{ tag: 'text', text: 'line 1' }], [{ tag: 'at', user_id: 'ou_1' }]],
          },
        },
      },
    };
    assert.deepEqual(channelPreview('feishu', body), {
      msgtype: 'text',
      payload: { content: 'BackOff\nline 1\n@ou_1' },
    });
  });

  it('shows a Feishu card as a heading and its markdown, and text mentions as @id', () => {
    const card = {
      msg_type: 'interactive',
      card: {
        header: { title: { content: 'BackOff' } },
        elements: [{ text: { content: 'body' } }, { text: { content: '<at id=all></at>' } }],
      },
    };
    assert.equal(channelPreview('feishu', card).payload.content, '### BackOff\n\nbody\n\n@all');
    const text = { msg_type: 'text', content: { text: 'x <at user_id="ou_2"></at>' } };
    assert.equal(channelPreview('feishu', text).payload.content, 'x @ou_2');
  });

  it('shows a webhook’s body as indented JSON', () => {
    assert.equal(channelPreview('webhook', { a: 1 }).payload.content, '{\n  "a": 1\n}');
  });
});
