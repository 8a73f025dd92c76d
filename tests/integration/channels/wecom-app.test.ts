import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { NO_MENTIONS } from '../../../functions/channels/content/index.ts';
import { ChannelRateLimitedError, ChannelRejectedError } from '../../../functions/channels/delivery/index.ts';
import {
  buildWecomAppBody,
  WecomAppClient,
  WecomAppUntrustedIpError,
  type WecomAppMsgtype,
} from '../../../functions/channels/wecom-app/index.ts';
import { startWecomAppEmulator, type WecomAppEmulator } from '../../../emulators/wecom-app/index.ts';
import { testClock } from './clock.ts';

const APP = { corpId: 'ww0123456789', corpSecret: 'app-secret-0123456789', agentId: 1000002 };
const APP_ID = `${APP.corpId}/${APP.agentId}`;
const clock = testClock();
let emulator: WecomAppEmulator;
let client: WecomAppClient;

before(async () => {
  emulator = await startWecomAppEmulator({ clock: clock.now, apps: [APP] });
});
after(() => emulator.close());
beforeEach(() => {
  emulator.reset();
  // A fresh client per test: each starts with an empty token cache.
  client = new WecomAppClient({ clock: clock.now, allowedHosts: [new URL(emulator.url).host] });
});

const body = (text: string, msgtype: WecomAppMsgtype = 'text') =>
  buildWecomAppBody(
    msgtype,
    { title: '', text, mentions: NO_MENTIONS },
    {
      agentId: APP.agentId,
      toUser: ['zhangsan'],
    },
  );
const send = (text: string, credentials = APP, to = client) =>
  to.send(emulator.url, body(text), { deadline: clock.now() + 5000, credentials });

describe('WeCom application client against the emulator', () => {
  it('fetches one token and reuses it for later sends', async () => {
    for (const text of ['a', 'b', 'c']) await send(text);
    assert.equal(emulator.tokensIssued(), 1);
    assert.deepEqual(
      emulator.messages(APP_ID).map((m) => m.content),
      ['a', 'b', 'c'],
    );
  });

  it('shares one token fetch between concurrent sends', async () => {
    await Promise.all(['a', 'b', 'c'].map((text) => send(text)));
    assert.equal(emulator.tokensIssued(), 1);
    assert.equal(emulator.messages(APP_ID).length, 3);
  });

  it('fetches a new token and sends again when WeCom says 42001, without losing the message', async () => {
    await send('first');
    emulator.expireTokens();
    const result = await send('second');
    assert.equal(result.code, 0);
    assert.equal(emulator.tokensIssued(), 2);
    assert.deepEqual(
      emulator.requests(APP_ID).map((r) => r.code),
      [0, 0, 42001, 0, 0],
    );
  });

  it('refreshes a token before WeCom expires it', async () => {
    await send('first');
    clock.advance(7200_000 - 4 * 60_000);
    await send('second');
    assert.equal(emulator.tokensIssued(), 2);
    assert.equal(emulator.requests().filter((r) => r.code === 42001).length, 0);
  });

  it('sends markdown too', async () => {
    await client.send(emulator.url, body('**bold**', 'markdown'), {
      deadline: clock.now() + 5000,
      credentials: APP,
    });
    assert.equal(emulator.messages(APP_ID)[0]!.msgtype, 'markdown');
  });

  it('is refused for good with a wrong secret (40001)', async () => {
    await assert.rejects(send('x', { ...APP, corpSecret: 'wrong' }), (err: unknown) => {
      assert.ok(err instanceof ChannelRejectedError, String(err));
      assert.equal(err.code, 40001);
      assert.doesNotMatch(err.message, /corpsecret=wrong|app-secret/);
      return true;
    });
  });

  it('explains 60020: the Lambda needs a fixed egress IP through a VPC and NAT gateway', async () => {
    const untrusted = await startWecomAppEmulator({ clock: clock.now, apps: [APP], untrustedIp: true });
    try {
      const to = new WecomAppClient({ clock: clock.now, allowedHosts: [new URL(untrusted.url).host] });
      await assert.rejects(
        to.send(untrusted.url, body('x'), { deadline: clock.now() + 5000, credentials: APP }),
        (err: unknown) => {
          assert.ok(err instanceof WecomAppUntrustedIpError, String(err));
          assert.deepEqual([err.code, err.retryable], [60020, false]);
          assert.match(err.message, /fixed egress IP.*VPC.*NAT gateway/);
          return true;
        },
      );
    } finally {
      await untrusted.close();
    }
  });

  it('is rate-limited (45009) after 30 messages a minute', async () => {
    for (let i = 0; i < 30; i++) await send(`event ${i}`);
    await assert.rejects(send('one too many'), (err: unknown) => {
      assert.ok(err instanceof ChannelRateLimitedError, String(err));
      assert.deepEqual([err.code, err.retryAfterMs], [45009, 60_000]);
      return true;
    });
  });

  it('has its over-long text cut to 2048 bytes by WeCom, not refused', async () => {
    await send('测'.repeat(1000));
    assert.equal(Buffer.byteLength(emulator.messages(APP_ID)[0]!.content), 2046);
  });
});
