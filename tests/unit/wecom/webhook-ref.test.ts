import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WebhookRefError, WebhookResolver } from '../../../functions/channels/wecom/index.ts';

const KEY = '693a91f6-7aaa-4bc4-97a0-0ec2sifa1234';

describe('WebhookResolver without SSM', () => {
  const resolver = new WebhookResolver({
    env: {
      ROBOT_KEY: KEY,
      ROBOT_URL: `http://127.0.0.1:9/cgi-bin/webhook/send?key=${KEY}`,
      ROBOT_BAD: `${KEY}!`,
      EMPTY: '',
    },
  });

  it('turns a bare key in env:NAME into WeCom’s webhook URL', async () => {
    assert.equal(
      await resolver.resolve('env:ROBOT_KEY'),
      `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${KEY}`,
    );
  });

  it('takes a full URL from env:NAME as is', async () => {
    assert.equal(
      await resolver.resolve('env:ROBOT_URL'),
      `http://127.0.0.1:9/cgi-bin/webhook/send?key=${KEY}`,
    );
  });

  it('returns literal URLs unchanged (the client checks the allow-list)', async () => {
    assert.equal(await resolver.resolve('http://127.0.0.1:9/send?key=k'), 'http://127.0.0.1:9/send?key=k');
  });

  it('fails permanently for unset or empty variables, naming the variable', async () => {
    for (const ref of ['env:MISSING', 'env:EMPTY']) {
      await assert.rejects(
        resolver.resolve(ref),
        (e: unknown) => e instanceof WebhookRefError && !e.retryable && e.message.includes(ref.slice(4)),
      );
    }
  });

  it('never echoes a value that is neither key nor URL', async () => {
    await assert.rejects(
      resolver.resolve('env:ROBOT_BAD'),
      (e: unknown) => e instanceof WebhookRefError && !e.message.includes(KEY),
    );
  });

  it('refuses unknown reference forms without echoing them', async () => {
    for (const ref of [KEY, `vault:${KEY}`]) {
      await assert.rejects(
        resolver.resolve(ref),
        (e: unknown) => e instanceof WebhookRefError && !e.message.includes(KEY),
      );
    }
  });
});
