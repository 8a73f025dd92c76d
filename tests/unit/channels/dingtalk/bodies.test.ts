import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildDingtalkBody } from '../../../../functions/channels/dingtalk/index.ts';
import { content } from '../builders.ts';

describe('DingTalk bodies', () => {
  it('builds a text body with the text as content and an empty at', () => {
    assert.deepEqual(buildDingtalkBody('text', content({ text: 'hello' })), {
      msgtype: 'text',
      text: { content: 'hello' },
      at: { atMobiles: [], atUserIds: [], isAtAll: false },
    });
  });

  it('builds a markdown body with the title as the preview and the text as the message', () => {
    assert.deepEqual(buildDingtalkBody('markdown', content({ title: 'T', text: '#### T\nbody' })), {
      msgtype: 'markdown',
      markdown: { title: 'T', text: '#### T\nbody' },
      at: { atMobiles: [], atUserIds: [], isAtAll: false },
    });
  });

  it('falls back to the first line of the text when the title is empty, since DingTalk requires one', () => {
    const body = buildDingtalkBody('markdown', content({ title: ' ', text: 'first line\nsecond' }));
    assert.equal(body.msgtype === 'markdown' && body.markdown.title, 'first line');
  });

  for (const msgtype of ['text', 'markdown'] as const) {
    it(`lists each mention in at and writes @id in the ${msgtype} content, so it fires`, () => {
      const body = buildDingtalkBody(
        msgtype,
        content({ text: 'x', mentions: { mobiles: ['13800001111'], users: ['manager_1'] } }),
      );
      assert.deepEqual(body.at, { atMobiles: ['13800001111'], atUserIds: ['manager_1'], isAtAll: false });
      const text = body.msgtype === 'text' ? body.text.content : body.markdown.text;
      assert.match(text, /@13800001111 @manager_1$/);
    });
  }

  it('mentions everyone with isAtAll only', () => {
    const body = buildDingtalkBody('text', content({ text: 'x', mentions: { all: true } }));
    assert.deepEqual(body, {
      msgtype: 'text',
      text: { content: 'x' },
      at: { atMobiles: [], atUserIds: [], isAtAll: true },
    });
  });

  it('drops ids that are not plain ids or phone numbers, so an annotation cannot smuggle text in', () => {
    const body = buildDingtalkBody(
      'text',
      content({
        text: 'x',
        mentions: { users: ['ok', 'a b', '[x](y)'], mobiles: ['13800001111', '123\n# h'] },
      }),
    );
    assert.deepEqual(body.at, { atMobiles: ['13800001111'], atUserIds: ['ok'], isAtAll: false });
  });

  it('adds the first keyword when the text has none, and leaves text with one alone', () => {
    const keywords = ['k8s', 'alert'];
    const without = buildDingtalkBody('text', content({ text: 'pod failed' }), { keywords });
    assert.equal(without.msgtype === 'text' && without.text.content, 'pod failed\n\nk8s');
    const withOne = buildDingtalkBody('text', content({ text: 'alert: pod failed' }), { keywords });
    assert.equal(withOne.msgtype === 'text' && withOne.text.content, 'alert: pod failed');
  });
});
