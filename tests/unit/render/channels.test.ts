import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { requestBodyBytes } from '../../../functions/channels/delivery/index.ts';
import { FEISHU_SIGNATURE_BYTES } from '../../../functions/channels/feishu/index.ts';
import type { RenderedMessage } from '../../../functions/render/index.ts';
import type { BundleInput } from '../../../functions/bundle/index.ts';
import { bytes, event, mentions, renderer } from './builders.ts';

/** One receiver per channel and msgtype, beside the WeCom ones of `bundle()`. */
const CHANNEL_RECEIVERS: BundleInput['receivers'] = {
  dtText: { channel: 'dingtalk', webhook: 'env:DT', msgtype: 'text' },
  dtMd: { channel: 'dingtalk', webhook: 'env:DT', msgtype: 'markdown', keywords: ['k8s'] },
  fsText: { channel: 'feishu', webhook: 'env:FS', msgtype: 'text' },
  fsPost: { channel: 'feishu', webhook: 'env:FS', msgtype: 'post', secret: 'env:FS_SECRET' },
  fsCard: { channel: 'feishu', webhook: 'env:FS', msgtype: 'interactive' },
  appText: {
    channel: 'wecom-app',
    webhook: 'https://qyapi.weixin.qq.com',
    msgtype: 'text',
    corpId: 'ww1',
    corpSecret: 'env:APP_SECRET',
    agentId: 1000002,
    toParty: ['2'],
  },
  hook: {
    channel: 'webhook',
    webhook: 'https://hooks.example.com/k8s',
    allowedHosts: ['hooks.example.com'],
    body: '{"summary":"{{ title }}","pod":"{{ .InvolvedObject.Name }}","text":"{{ text }}"}',
  },
};

const render = renderer({ receivers: CHANNEL_RECEIVERS });
const NOBODY = mentions();
const HOSTILE =
  'see [docs](http://evil.example) <at user_id="all"></at> <at id=all></at> @13800001111 # head **bold** "quote"\n> q';

function one(receiver: string, message = 'Back-off restarting failed container'): RenderedMessage {
  const messages = render.renderEvent(receiver, event({ message }), NOBODY);
  assert.equal(messages.length, 1);
  return messages[0]!;
}

describe('rendering for the other channels', () => {
  it('builds each channel’s body for each msgtype', () => {
    assert.deepEqual(Object.keys(one('dtText').body).sort(), ['at', 'msgtype', 'text']);
    const md = one('dtMd').body as { msgtype: string; markdown: { title: string; text: string } };
    assert.equal(md.msgtype, 'markdown');
    assert.match(md.markdown.title, /BackOff/);
    assert.match(md.markdown.text, /\n\n?k8s$|k8s/);
    assert.equal((one('fsText').body as { msg_type: string }).msg_type, 'text');
    const post = one('fsPost').body as {
      content: { post: { zh_cn: { title: string; content: unknown[][] } } };
    };
    assert.match(post.content.post.zh_cn.title, /BackOff/);
    assert.ok(post.content.post.zh_cn.content.length > 1, 'one row per line');
    const card = one('fsCard').body as { card: { header: { title: { content: string } } } };
    assert.match(card.card.header.title.content, /BackOff/);
    const app = one('appText').body as { msgtype: string; agentid: number; toparty: string };
    assert.deepEqual([app.msgtype, app.agentid, app.toparty], ['text', 1000002, '2']);
    const hook = one('hook').body as { summary: string; pod: string; text: string };
    assert.equal(hook.pod, event().name);
    assert.match(hook.text, /Back-off restarting/);
  });

  it('names the channel and msgtype on the message', () => {
    assert.deepEqual(one('fsCard').channel, { name: 'feishu', msgtype: 'interactive' });
    assert.equal(one('md').channel, undefined, 'WeCom messages are unchanged');
  });

  it('never lets event text mention, link or mark up, on any channel', () => {
    const dt = JSON.stringify(one('dtMd', HOSTILE).body);
    assert.doesNotMatch(dt, /@13800001111|\[docs\]\(|\*\*bold/);
    const fsText = (one('fsText', HOSTILE).body as { content: { text: string } }).content.text;
    assert.doesNotMatch(fsText, /<at /);
    const card = JSON.stringify(one('fsCard', HOSTILE).body);
    assert.doesNotMatch(card, /<at |\[docs\]\(/);
    const hook = one('hook', HOSTILE).body as { text: string };
    assert.match(hook.text, /"quote"/, 'a webhook body stays JSON with the quote inside a string');
  });

  it('places mentions the way each channel fires them', () => {
    const who = mentions({ users: ['ou_abc'], mobiles: ['13800001111'], all: true });
    const dt = render.renderEvent('dtText', event(), who)[0]!.body as {
      text: { content: string };
      at: { atMobiles: string[]; isAtAll: boolean };
    };
    assert.deepEqual(dt.at.atMobiles, ['13800001111']);
    assert.equal(dt.at.isAtAll, true);
    assert.match(dt.text.content, /@13800001111/, 'DingTalk needs the id in the text too');
    const fs = render.renderEvent('fsText', event(), who)[0]!.body as { content: { text: string } };
    assert.match(fs.content.text, /<at user_id="ou_abc"><\/at> <at user_id="all"><\/at>$/);
    assert.equal(render.renderEvent('fsText', event(), who).length, 1, 'no extra mention message');
  });

  it('fits a long event into each channel’s own limit, measured as the channel measures it', () => {
    const huge = `${'stack frame "x"\n'.repeat(3000)}end`;
    for (const [receiver, limit] of [
      ['dtText', 20_000],
      ['dtMd', 20_000],
      ['fsText', 20_000],
      ['fsPost', 20_000 - FEISHU_SIGNATURE_BYTES],
      ['fsCard', 20_000],
    ] as const) {
      const message = one(receiver, huge);
      assert.ok(message.bytes <= limit, `${receiver}: ${message.bytes} > ${limit}`);
      assert.equal(message.bytes, requestBodyBytes(message.body));
      assert.match(JSON.stringify(message.body), /truncated/);
    }
    const app = one('appText', huge).body as { text: { content: string } };
    assert.ok(bytes(app.text.content) <= 2048);
  });

  it('splits a digest at the channel’s limit and covers every event once', () => {
    const events = Array.from({ length: 300 }, (_, i) =>
      event({ name: `api-${i}`, message: `failed ${'x'.repeat(200)} ${i}` }),
    );
    for (const receiver of ['dtMd', 'fsPost', 'appText']) {
      const messages = render.renderDigest(receiver, events, {}, NOBODY);
      assert.ok(messages.length > 1, `${receiver} splits`);
      const covered = messages.flatMap((m) => m.covers).sort((a, b) => a - b);
      assert.deepEqual(
        covered,
        events.map((_, i) => i),
      );
      for (const message of messages)
        assert.ok(message.bytes <= 20_000, `${receiver}: ${message.bytes} bytes`);
    }
  });

  it('keeps the overflow summary to one message per channel', () => {
    const events = [event(), event({ reason: 'Failed' })];
    for (const receiver of Object.keys(CHANNEL_RECEIVERS)) {
      const summary = render.renderOverflow(receiver, events, NOBODY);
      assert.deepEqual(summary.covers, [0, 1]);
      assert.match(JSON.stringify(summary.body), /\+2 more events/);
    }
  });
});
