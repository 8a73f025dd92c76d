import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateBundle } from '../../../functions/bundle/index.ts';
import { aBundle } from '../../helpers/builders.ts';

/** Problems of a bundle whose one receiver `team` is `receiver`, as `path: message` lines. */
function problemsWith(receiver: Record<string, unknown>): { problems: string[]; warnings: string[] } {
  const result = validateBundle(aBundle({ receivers: { team: receiver } as never }));
  const lines = (list: typeof result.problems) => list.map((p) => `${p.path}: ${p.message}`);
  return { problems: lines(result.problems), warnings: lines(result.warnings) };
}

function assertOne(lines: string[], path: string, fragment: string): void {
  assert.ok(
    lines.some((line) => line.startsWith(`${path}: `) && line.includes(fragment)),
    `expected ${path}: …${fragment}…, got:\n${lines.join('\n')}`,
  );
}

const DINGTALK = { channel: 'dingtalk', webhook: 'env:DT', msgtype: 'markdown', secret: 'env:DT_SECRET' };
const APP = {
  channel: 'wecom-app',
  webhook: 'https://qyapi.weixin.qq.com',
  corpId: 'ww1',
  corpSecret: 'ssm:/kube-wecom/app',
  agentId: 1000002,
  toUser: ['ops'],
};
const HOOK = {
  channel: 'webhook',
  webhook: 'https://hooks.example.com/k8s',
  allowedHosts: ['hooks.example.com'],
  headers: { authorization: 'env:HOOK_TOKEN' },
  body: '{"text":"{{ text }}","pod":"{{ .InvolvedObject.Name }}"}',
};

describe('channel fields in the bundle', () => {
  it('accepts a receiver on each channel', () => {
    for (const receiver of [
      DINGTALK,
      { channel: 'feishu', webhook: 'env:FS', msgtype: 'post', keywords: ['k8s'] },
      APP,
      HOOK,
    ]) {
      assert.deepEqual(problemsWith(receiver).problems, [], JSON.stringify(receiver));
    }
  });

  it('checks the msgtype against the receiver’s channel', () => {
    assertOne(
      problemsWith({ ...DINGTALK, msgtype: 'post' }).problems,
      '$.receivers.team.msgtype',
      'text, markdown',
    );
    assertOne(
      problemsWith({ webhook: 'env:W', msgtype: 'interactive' }).problems,
      '$.receivers.team.msgtype',
      'wecom',
    );
    assertOne(problemsWith({ ...HOOK, msgtype: 'text' }).problems, '$.receivers.team.msgtype', 'no msgtype');
  });

  it('refuses a secret written into the bundle', () => {
    assertOne(
      problemsWith({ ...DINGTALK, secret: 'SEC123' }).problems,
      '$.receivers.team.secret',
      'env:NAME',
    );
    assertOne(
      problemsWith({ ...APP, corpSecret: 'abc' }).problems,
      '$.receivers.team.corpSecret',
      'ssm:/path',
    );
  });

  it('refuses the fields of another channel', () => {
    assertOne(problemsWith({ ...DINGTALK, agentId: 1 }).problems, '$.receivers.team.agentId', 'wecom-app');
    assertOne(
      problemsWith({ webhook: 'env:W', secret: 'env:S' }).problems,
      '$.receivers.team.secret',
      'not wecom',
    );
    assertOne(
      problemsWith({ ...DINGTALK, bodyTemplate: 'x' }).problems,
      '$.receivers.team.bodyTemplate',
      'wecom',
    );
  });

  it('needs a WeCom application’s credentials', () => {
    const { problems } = problemsWith({ channel: 'wecom-app', webhook: 'https://qyapi.weixin.qq.com' });
    for (const field of ['corpId', 'corpSecret', 'agentId'])
      assertOne(problems, `$.receivers.team.${field}`, 'required');
  });

  it('needs a webhook’s body and host allow-list, and its host on the list', () => {
    const bare = problemsWith({ channel: 'webhook', webhook: 'https://hooks.example.com/k8s' }).problems;
    assertOne(bare, '$.receivers.team.body', 'required');
    assertOne(bare, '$.receivers.team.allowedHosts', 'required');
    assertOne(
      problemsWith({ ...HOOK, allowedHosts: ['other.example.com'] }).problems,
      '$.receivers.team.webhook',
      'not in allowedHosts',
    );
    assertOne(
      problemsWith({ ...HOOK, body: '{"a": {{ text }}}' }).problems,
      '$.receivers.team.body',
      'not JSON',
    );
    assertOne(
      problemsWith({ ...HOOK, body: '{"a":"{{ nope }}"}' }).problems,
      '$.receivers.team.body',
      'unknown fields',
    );
    assertOne(
      problemsWith({ ...HOOK, headers: { 'bad name': 'x' } }).problems,
      '$.receivers.team.headers',
      'header name',
    );
  });

  it('holds each channel to its own rate and size limits', () => {
    assert.deepEqual(
      problemsWith({ channel: 'feishu', webhook: 'env:FS', maxMessagesPerMinute: 100 }).problems,
      [],
    );
    assertOne(
      problemsWith({ ...DINGTALK, maxMessagesPerMinute: 21 }).problems,
      '$.receivers.team.maxMessagesPerMinute',
      'at most 20',
    );
    assert.deepEqual(
      problemsWith({ ...DINGTALK, maxBytes: 10_000 }).problems,
      [],
      'over WeCom’s 4096 is fine here',
    );
    assertOne(problemsWith({ ...APP, maxBytes: 4096 }).problems, '$.receivers.team.maxBytes', '2048');
  });

  it('warns about a literal robot token and phone mentions Feishu cannot make', () => {
    const literal = problemsWith({
      channel: 'dingtalk',
      webhook: 'https://oapi.dingtalk.com/robot/send?access_token=abc',
    });
    assertOne(literal.warnings, '$.receivers.team.webhook', 'literal robot token');
    const fs = problemsWith({ channel: 'feishu', webhook: 'env:FS', mentions: { mobiles: ['13800001111'] } });
    assertOne(fs.warnings, '$.receivers.team.mentions.mobiles', 'phone');
  });
});
