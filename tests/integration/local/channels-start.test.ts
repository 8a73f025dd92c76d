import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import axios from 'axios';
import { validateBundle } from '../../../functions/bundle/index.ts';
import type { BundleInput } from '../../../functions/bundle/index.ts';
import type { PreviewMessagesResponse } from '../../../local/preview-page/index.ts';
import { startLocalPipeline } from '../../../local/start/index.ts';
import type { LocalPipeline } from '../../../local/start/index.ts';

// `npm start` with a bundle on every channel: each receiver posts to its own platform's emulator (signed, with
// keywords, credentials and headers standing in for the secrets), and the preview page shows each message in its
// receiver's column, labelled with its channel and readable.

const EVENTS = fileURLToPath(new URL('../../fixtures/events/core-v1.jsonl', import.meta.url));

const input: BundleInput = {
  version: 1,
  receivers: {
    wecom: { webhook: 'env:WECOM_PROD' },
    dingtalk: {
      channel: 'dingtalk',
      webhook: 'ssm:/prod/dingtalk-url',
      secret: 'ssm:/prod/dingtalk-secret',
      keywords: ['k8s'],
    },
    feishu: { channel: 'feishu', webhook: 'env:FEISHU_URL', msgtype: 'post', secret: 'env:FEISHU_SECRET' },
    app: {
      channel: 'wecom-app',
      webhook: 'https://qyapi.weixin.qq.com',
      corpId: 'ww-local',
      corpSecret: 'ssm:/prod/app-secret',
      agentId: 1000002,
    },
    hook: {
      channel: 'webhook',
      webhook: 'env:HOOK_URL',
      allowedHosts: ['hooks.example.com'],
      headers: { authorization: 'env:HOOK_TOKEN' },
      body: '{"text":"{{ text }}"}',
    },
  },
  routes: [{ name: 'all', receivers: ['wecom', 'dingtalk', 'feishu', 'app', 'hook'] }],
};

describe('npm start with a receiver on every channel', () => {
  let pipeline: LocalPipeline;
  let page: PreviewMessagesResponse;

  before(async () => {
    const bundle = validateBundle(input).bundle!;
    pipeline = await startLocalPipeline({
      bundle,
      source: { kind: 'file', path: EVENTS },
      port: 0,
      speed: 20,
    });
    await pipeline.drained();
    page = (await axios.get<PreviewMessagesResponse>(`${pipeline.url}api/messages`)).data;
  });
  after(async () => {
    await pipeline?.stop();
  });

  it('shows one column per receiver, whatever its channel', () => {
    assert.deepEqual(page.receivers, ['wecom', 'dingtalk', 'feishu', 'app', 'hook']);
  });

  it('delivers to every channel’s emulator and labels each message with its channel', () => {
    const channels = new Map(page.messages.map((m) => [m.receiver, m.channel]));
    assert.equal(channels.get('wecom'), null);
    assert.equal(channels.get('dingtalk'), 'dingtalk markdown');
    assert.equal(channels.get('feishu'), 'feishu post');
    assert.equal(channels.get('app'), 'wecom-app markdown');
    assert.equal(channels.get('hook'), 'webhook text');
    assert.equal(pipeline.stats().dlqDepth, 0);
  });

  it('shows DingTalk and Feishu content as readable text, not as their JSON bodies', () => {
    for (const receiver of ['dingtalk', 'feishu']) {
      const message = page.messages.find((m) => m.receiver === receiver)!;
      assert.ok(message.content && !message.content.startsWith('{'), `${receiver}: ${message.content}`);
    }
    const dingtalk = page.messages.find((m) => m.receiver === 'dingtalk')!;
    assert.match(dingtalk.content!, /k8s$/, 'the keyword the robot requires');
  });
});
