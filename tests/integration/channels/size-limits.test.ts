import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { NO_MENTIONS } from '../../../functions/channels/content/index.ts';
import { ChannelRejectedError, requestBodyBytes } from '../../../functions/channels/delivery/index.ts';
import {
  buildDingtalkBody,
  DingtalkClient,
  DINGTALK_LIMITS,
} from '../../../functions/channels/dingtalk/index.ts';
import {
  buildFeishuBody,
  FEISHU_LIMITS,
  FEISHU_SIGNATURE_BYTES,
  FeishuClient,
} from '../../../functions/channels/feishu/index.ts';
import { startDingtalkEmulator, type DingtalkEmulator } from '../../../emulators/dingtalk/index.ts';
import { startFeishuEmulator, type FeishuEmulator } from '../../../emulators/feishu/index.ts';

const SECRET = 'SEC0123456789abcdef';
let dingtalk: DingtalkEmulator;
let feishu: FeishuEmulator;

before(async () => {
  dingtalk = await startDingtalkEmulator({ robots: [{ token: 'd', secret: SECRET }], rateLimit: false });
  feishu = await startFeishuEmulator({ robots: [{ token: 'f', secret: SECRET }], rateLimit: false });
});
after(async () => {
  await dingtalk.close();
  await feishu.close();
});

/** ASCII text that makes `build(text)` exactly `bytes` long (plus what signing adds after). */
function textFilling<T extends object>(build: (text: string) => T, bytes: number): string {
  return 'x'.repeat(bytes - requestBodyBytes(build('')));
}

describe('bodies at each channel limit', () => {
  it('DingTalk accepts a body of exactly 20,000 bytes and refuses one byte more (460101)', async () => {
    const client = new DingtalkClient({ allowedHosts: [new URL(dingtalk.url).host] });
    const build = (text: string) =>
      buildDingtalkBody('markdown', { title: 't', text, mentions: NO_MENTIONS });
    const text = textFilling(build, DINGTALK_LIMITS.maxBytes);
    const send = (t: string) =>
      client.send(dingtalk.webhookUrl('d'), build(t), { deadline: Date.now() + 5000, secret: SECRET });
    await send(text);
    await assert.rejects(
      send(`${text}x`),
      (err: unknown) => err instanceof ChannelRejectedError && err.code === 460101,
    );
  });

  it('Feishu accepts a signed body of exactly 20,000 bytes and refuses one byte more (19036)', async () => {
    const client = new FeishuClient({ allowedHosts: [new URL(feishu.url).host] });
    const build = (text: string) => buildFeishuBody('post', { title: 't', text, mentions: NO_MENTIONS });
    const text = textFilling(build, FEISHU_LIMITS.maxBytes - FEISHU_SIGNATURE_BYTES);
    const send = (t: string) =>
      client.send(feishu.webhookUrl('f'), build(t), { deadline: Date.now() + 5000, secret: SECRET });
    await send(text);
    await assert.rejects(
      send(`${text}x`),
      (err: unknown) => err instanceof ChannelRejectedError && err.code === 19036,
    );
  });
});
