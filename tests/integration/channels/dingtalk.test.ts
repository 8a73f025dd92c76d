import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ChannelRateLimitedError } from '../../../functions/channels/delivery/index.ts';
import {
  buildDingtalkBody,
  DingtalkClient,
  escapeDingtalkMarkdown,
  type DingtalkMsgtype,
} from '../../../functions/channels/dingtalk/index.ts';
import { startDingtalkEmulator, type DingtalkEmulator } from '../../../emulators/dingtalk/index.ts';
import { testClock } from './clock.ts';
import { content, rejectedWith } from '../../unit/channels/builders.ts';

const SECRET = 'SEC0123456789abcdef';
const clock = testClock();
let emulator: DingtalkEmulator;
let client: DingtalkClient;

before(async () => {
  emulator = await startDingtalkEmulator({
    clock: clock.now,
    robots: [
      { token: 'signed', secret: SECRET },
      { token: 'plain' },
      { token: 'keyword', keywords: ['k8s'] },
    ],
  });
  client = new DingtalkClient({ clock: clock.now, allowedHosts: [new URL(emulator.url).host] });
});
after(() => emulator.close());
beforeEach(() => emulator.reset());

const send = (token: string, text: string, options: { secret?: string; msgtype?: DingtalkMsgtype } = {}) =>
  client.send(emulator.webhookUrl(token), buildDingtalkBody(options.msgtype ?? 'text', content({ text })), {
    deadline: clock.now() + 5000,
    ...(options.secret ? { secret: options.secret } : {}),
  });

describe('DingTalk client against the emulator', () => {
  it('delivers signed text and markdown; the emulator verifies the signature', async () => {
    for (const msgtype of ['text', 'markdown'] as const) {
      assert.deepEqual(await send('signed', 'pod failed', { secret: SECRET, msgtype }), {
        status: 200,
        code: 0,
        message: 'ok',
      });
    }
    assert.deepEqual(
      emulator.messages('signed').map((m) => m.msgtype),
      ['text', 'markdown'],
    );
  });

  it('gets 310000 sign not match with a wrong secret, and when signing is left out', async () => {
    await assert.rejects(send('signed', 'x', { secret: 'SECwrong' }), rejectedWith(310000, /sign not match/));
    await assert.rejects(send('signed', 'x'), rejectedWith(310000, /invalid timestamp/));
  });

  it('gets 310000 invalid timestamp when the clocks are more than an hour apart, not at 59 minutes', async () => {
    const skewed = (ms: number) =>
      new DingtalkClient({ clock: () => clock.now() - ms, allowedHosts: [new URL(emulator.url).host] }).send(
        emulator.webhookUrl('signed'),
        buildDingtalkBody('text', content({ text: 'x' })),
        { deadline: clock.now() + 5000, secret: SECRET },
      );
    await skewed(59 * 60_000);
    await assert.rejects(skewed(61 * 60_000), rejectedWith(310000, /invalid timestamp/));
  });

  it('fires only mentions that are listed in at and written in the content', async () => {
    const body = buildDingtalkBody(
      'markdown',
      content({
        text: escapeDingtalkMarkdown('@13900002222 wants attention'),
        mentions: { mobiles: ['13800001111'] },
      }),
    );
    await client.send(emulator.webhookUrl('plain'), body, { deadline: clock.now() + 5000 });
    assert.deepEqual(emulator.messages('plain')[0]!.mentioned, ['13800001111']);
  });

  it('enforces keywords; the builder adds one so messages pass', async () => {
    await assert.rejects(send('keyword', 'pod failed'), rejectedWith(310000, /keywords not in content/));
    const body = buildDingtalkBody('text', content({ text: 'pod failed' }), { keywords: ['k8s'] });
    await client.send(emulator.webhookUrl('keyword'), body, { deadline: clock.now() + 5000 });
    assert.equal(emulator.messages('keyword').length, 1);
  });

  it('answers 300001 for an unknown token and 460101 over 20,000 bytes', async () => {
    await assert.rejects(send('nobody', 'x'), rejectedWith(300001, /token is not exist/));
    await assert.rejects(send('plain', 'x'.repeat(20_000)), rejectedWith(460101, /exceed 20000 bytes/));
  });

  it('blocks the robot for 10 minutes after the 21st message in a minute', async () => {
    for (let i = 0; i < 20; i++) {
      await send('plain', `event ${i}`);
      clock.advance(1000);
    }
    const blocked = (err: unknown) => {
      assert.ok(err instanceof ChannelRateLimitedError, String(err));
      assert.deepEqual([err.code, err.retryable, err.retryAfterMs], [130101, true, 600_000]);
      return true;
    };
    await assert.rejects(send('plain', 'one too many'), blocked);
    // The minute has long passed, but the block has not.
    clock.advance(9 * 60_000);
    await assert.rejects(send('plain', 'still blocked'), blocked);
    clock.advance(60_000);
    await send('plain', 'after the block');
    assert.equal(emulator.messages('plain').length, 21);
  });
});
