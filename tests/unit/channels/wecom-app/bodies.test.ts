import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildWecomAppBody } from '../../../../functions/channels/wecom-app/index.ts';
import { content } from '../builders.ts';

describe('WeCom application bodies', () => {
  it('sends text to @all when no recipient is given, as kube-eventer does', () => {
    assert.deepEqual(buildWecomAppBody('text', content({ text: 'hi' }), { agentId: 1000002 }), {
      touser: '@all',
      agentid: 1000002,
      msgtype: 'text',
      text: { content: 'hi' },
    });
  });

  it('joins users and departments with |, dropping ids that could address someone else', () => {
    const body = buildWecomAppBody('markdown', content({ text: '**x**' }), {
      agentId: 7,
      toUser: ['zhangsan', 'lisi', 'a|b'],
      toParty: ['2', 'x'],
    });
    assert.deepEqual(body, {
      touser: 'zhangsan|lisi',
      toparty: '2',
      agentid: 7,
      msgtype: 'markdown',
      markdown: { content: '**x**' },
    });
  });

  it('sends to departments only when only departments are given', () => {
    const body = buildWecomAppBody('text', content({ text: 'x' }), { agentId: 7, toParty: ['3'] });
    assert.equal('touser' in body, false);
    assert.equal(body.toparty, '3');
  });
});
