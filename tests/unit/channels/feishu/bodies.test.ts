import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildFeishuBody } from '../../../../functions/channels/feishu/index.ts';
import { content } from '../builders.ts';

const mentions = { users: ['ou_abc123', 'bad"id'], all: true };

describe('Feishu bodies', () => {
  it('builds a text body', () => {
    assert.deepEqual(buildFeishuBody('text', content({ text: 'hello' })), {
      msg_type: 'text',
      content: { text: 'hello' },
    });
  });

  it('writes text mentions as <at user_id> tags, everyone as user_id="all", and drops malformed ids', () => {
    assert.deepEqual(buildFeishuBody('text', content({ text: 'hello', mentions })), {
      msg_type: 'text',
      content: { text: 'hello\n<at user_id="ou_abc123"></at> <at user_id="all"></at>' },
    });
  });

  it('builds a post with a zh_cn title, one row per line, and a row of at elements', () => {
    assert.deepEqual(buildFeishuBody('post', content({ title: 'T', text: 'a\nb', mentions })), {
      msg_type: 'post',
      content: {
        post: {
          zh_cn: {
            title: 'T',
            content: [
              [{ tag: 'text', text: 'a' }],
              [{ tag: 'text', text: 'b' }],
              [
                { tag: 'at', user_id: 'ou_abc123' },
                { tag: 'at', user_id: 'all' },
              ],
            ],
          },
        },
      },
    });
  });

  it('builds an interactive card with a plain-text header, a lark_md block and a mentions block', () => {
    assert.deepEqual(buildFeishuBody('interactive', content({ title: 'T', text: '**x**', mentions })), {
      msg_type: 'interactive',
      card: {
        config: { wide_screen_mode: true },
        header: { title: { tag: 'plain_text', content: 'T' } },
        elements: [
          { tag: 'div', text: { tag: 'lark_md', content: '**x**' } },
          { tag: 'div', text: { tag: 'lark_md', content: '<at id=ou_abc123></at> <at id=all></at>' } },
        ],
      },
    });
  });

  it('adds a keyword to every msgtype when the text has none', () => {
    for (const msgtype of ['text', 'post', 'interactive'] as const) {
      const body = buildFeishuBody(msgtype, content({ text: 'pod failed' }), { keywords: ['k8s'] });
      assert.match(JSON.stringify(body), /k8s/, msgtype);
    }
  });
});
