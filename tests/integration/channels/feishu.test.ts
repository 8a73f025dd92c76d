import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import {
  ChannelRateLimitedError,
  ChannelTransientError,
} from '../../../functions/channels/delivery/index.ts';
import {
  buildFeishuBody,
  escapeFeishuMarkdown,
  FeishuClient,
  type FeishuMsgtype,
} from '../../../functions/channels/feishu/index.ts';
import { startFeishuEmulator, type FeishuEmulator } from '../../../emulators/feishu/index.ts';
import { testClock } from './clock.ts';
import { content, rejectedWith } from '../../unit/channels/builders.ts';

const SECRET = 'SEC0123456789abcdef';
const clock = testClock();
let emulator: FeishuEmulator;
let client: FeishuClient;

before(async () => {
  emulator = await startFeishuEmulator({
    clock: clock.now,
    robots: [
      { token: 'signed-robot-0123456789', secret: SECRET },
      { token: 'plain-robot-0123456789' },
      { token: 'keyword-robot-0123456789', keywords: ['k8s'] },
    ],
  });
  client = new FeishuClient({ clock: clock.now, allowedHosts: [new URL(emulator.url).host] });
});
after(() => emulator.close());
beforeEach(() => emulator.reset());

const send = (token: string, text: string, options: { secret?: string; msgtype?: FeishuMsgtype } = {}) =>
  client.send(emulator.webhookUrl(token), buildFeishuBody(options.msgtype ?? 'text', content({ text })), {
    deadline: clock.now() + 5000,
    ...(options.secret ? { secret: options.secret } : {}),
  });

describe('Feishu client against the emulator', () => {
  it('delivers signed text, post and interactive bodies; the emulator verifies the signature', async () => {
    for (const msgtype of ['text', 'post', 'interactive'] as const) {
      const result = await send('signed-robot-0123456789', 'pod failed', { secret: SECRET, msgtype });
      assert.deepEqual(result, { status: 200, code: 0, message: 'success' });
      clock.advance(1000);
    }
    assert.deepEqual(
      emulator.messages().map((m) => m.msgType),
      ['text', 'post', 'interactive'],
    );
  });

  it('gets 19021 with a wrong secret, without signing, and with a clock over an hour off', async () => {
    await assert.rejects(send('signed-robot-0123456789', 'x', { secret: 'SECwrong' }), rejectedWith(19021));
    await assert.rejects(send('signed-robot-0123456789', 'x'), rejectedWith(19021));
    const skewed = new FeishuClient({
      clock: () => clock.now() - 61 * 60_000,
      allowedHosts: [new URL(emulator.url).host],
    });
    const body = buildFeishuBody('text', content({ text: 'x' }));
    const options = { deadline: clock.now() + 5000, secret: SECRET };
    await assert.rejects(
      skewed.send(emulator.webhookUrl('signed-robot-0123456789'), body, options),
      rejectedWith(19021),
    );
  });

  it('records mentions in every msgtype, and escaped event text mentions nobody', async () => {
    const mentions = { users: ['ou_abc123'], all: true };
    for (const msgtype of ['text', 'post', 'interactive'] as const) {
      const body = buildFeishuBody(msgtype, content({ text: 'x', mentions }));
      await client.send(emulator.webhookUrl('plain-robot-0123456789'), body, {
        deadline: clock.now() + 5000,
      });
      clock.advance(1000);
    }
    const hostile = buildFeishuBody(
      'text',
      content({ text: escapeFeishuMarkdown('<at user_id="all"></at> hi') }),
    );
    await client.send(emulator.webhookUrl('plain-robot-0123456789'), hostile, {
      deadline: clock.now() + 5000,
    });
    assert.deepEqual(
      emulator.messages().map((m) => m.mentioned),
      [['ou_abc123', 'all'], ['ou_abc123', 'all'], ['ou_abc123', 'all'], []],
    );
  });

  it('enforces keywords (19024); the builder adds one so messages pass', async () => {
    await assert.rejects(send('keyword-robot-0123456789', 'pod failed'), rejectedWith(19024));
    const body = buildFeishuBody('post', content({ text: 'pod failed' }), { keywords: ['k8s'] });
    await client.send(emulator.webhookUrl('keyword-robot-0123456789'), body, {
      deadline: clock.now() + 5000,
    });
    assert.equal(emulator.messages().length, 1);
  });

  it('answers 19001 for an unknown token and 19036 over 20,000 bytes', async () => {
    await assert.rejects(send('nobody-0123456789', 'x'), rejectedWith(19001));
    await assert.rejects(send('plain-robot-0123456789', 'x'.repeat(20_000)), rejectedWith(19036));
  });

  it('refuses the 6th message within a second with 9499, transient', async () => {
    for (let i = 0; i < 5; i++) await send('plain-robot-0123456789', `event ${i}`);
    await assert.rejects(send('plain-robot-0123456789', 'sixth'), (err: unknown) => {
      assert.ok(err instanceof ChannelTransientError, String(err));
      assert.equal(err.code, 9499);
      return true;
    });
    clock.advance(1000);
    await send('plain-robot-0123456789', 'next second');
  });

  it('refuses the 101st message within a minute with 11232, rate-limited for a minute', async () => {
    for (let i = 0; i < 100; i++) {
      await send('plain-robot-0123456789', `event ${i}`);
      clock.advance(500);
    }
    await assert.rejects(send('plain-robot-0123456789', 'one too many'), (err: unknown) => {
      assert.ok(err instanceof ChannelRateLimitedError, String(err));
      assert.deepEqual([err.code, err.retryAfterMs], [11232, 60_000]);
      return true;
    });
    clock.advance(60_000);
    await send('plain-robot-0123456789', 'a minute later');
  });

  it('accepts the older StatusCode answer shape', async () => {
    const legacy = await startFeishuEmulator({
      clock: clock.now,
      legacyAnswers: true,
      robots: [{ token: 'old' }],
    });
    try {
      const legacyClient = new FeishuClient({ clock: clock.now, allowedHosts: [new URL(legacy.url).host] });
      const result = await legacyClient.send(
        legacy.webhookUrl('old'),
        buildFeishuBody('text', content({ text: 'x' })),
        {
          deadline: clock.now() + 5000,
        },
      );
      assert.deepEqual(result, { status: 200, code: 0, message: 'success' });
    } finally {
      await legacy.close();
    }
  });
});
