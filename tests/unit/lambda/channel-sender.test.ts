import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBudgetStore } from '../../../functions/budget/index.ts';
import { validateBundle } from '../../../functions/bundle/index.ts';
import type { BundleInput } from '../../../functions/bundle/index.ts';
import { ChannelDeadlineError, ChannelRateLimitedError } from '../../../functions/channels/delivery/index.ts';
import { WebhookResolver, WecomClient } from '../../../functions/channels/wecom/index.ts';
import { ChannelDelivery } from '../../../functions/lambda/channel-delivery.ts';
import { WebhookSender } from '../../../functions/lambda/index.ts';
import { compileRenderer } from '../../../functions/render/index.ts';
import { anEvent } from '../../helpers/builders.ts';
import { aLedger } from '../../helpers/budget.ts';
import { answer, fakePoster } from '../channels/fake-poster.ts';
import type { HttpOutcome } from '../../../functions/channels/delivery/index.ts';

const NOW = Date.parse('2026-12-01T08:00:00Z');
const NOBODY = { users: [], mobiles: [], all: false };

const bundle: BundleInput = {
  version: 1,
  receivers: {
    dt: { channel: 'dingtalk', webhook: 'env:DT', secret: 'env:DT_SECRET' },
    fs: { channel: 'feishu', webhook: 'env:FS', maxMessagesPerMinute: 100 },
  },
  routes: [{ name: 'all', receivers: ['dt', 'fs'] }],
};
const env = {
  DT: 'https://oapi.dingtalk.com/robot/send?access_token=dt-token-0001',
  DT_SECRET: 'SEC-test',
  FS: 'https://open.feishu.cn/open-apis/bot/v2/hook/fs-token-0000000001',
};

let clockAt = NOW;

/** A sender over the shared budget whose channel clients get `answers`, at a pinned time (`clockAt`). */
function aSender(...answers: HttpOutcome[]) {
  const parsed = validateBundle(bundle).bundle!;
  const { poster, requests } = fakePoster(...answers);
  const resolver = new WebhookResolver({ env });
  const sender = new WebhookSender({
    bundle: parsed,
    resolver,
    client: new WecomClient(),
    channels: new ChannelDelivery(resolver, { poster, clock: () => NOW }),
    ledger: aLedger(new MemoryBudgetStore()).ledger,
    clock: () => clockAt,
    sleep: async () => undefined,
  });
  const message = compileRenderer(parsed, { now: () => NOW }).renderEvent('dt', anEvent(), NOBODY)[0]!;
  return { sender, requests, message };
}

describe('the sender on the other channels', () => {
  it('sends a DingTalk message, signed, in a slot of the shared budget', async () => {
    const { sender, requests, message } = aSender(answer({ errcode: 0, errmsg: 'ok' }));
    const { slots } = await sender.reserve('dt', 1, NOW);
    assert.deepEqual(await sender.send(message, { deadline: NOW + 5000, slot: slots[0]! }), { attempts: 1 });
    assert.match(requests[0]!.url, /[?&]timestamp=\d+&sign=/);
  });

  it('blocks a DingTalk robot for 10 minutes in the budget after 130101', async () => {
    const { sender, message } = aSender(answer({ errcode: 130101, errmsg: 'send too fast' }));
    const { slots } = await sender.reserve('dt', 1, NOW);
    await assert.rejects(
      sender.send(message, { deadline: NOW + 5000, slot: slots[0]! }),
      ChannelRateLimitedError,
    );
    const after = await sender.reserve('dt', 1, NOW + 1000);
    assert.deepEqual(after.slots, []);
    assert.ok(after.nextFreeAt >= NOW + 600_000, `free again at +${after.nextFreeAt - NOW} ms`);
  });

  it('gives up a slot it reaches late (a stalled event loop): the message waits, nothing is sent', async () => {
    const { sender, requests, message } = aSender(answer({ errcode: 0, errmsg: 'ok' }));
    const { slots } = await sender.reserve('dt', 1, NOW);
    try {
      clockAt = slots[0]!.at + 1600;
      await assert.rejects(
        sender.send(message, { deadline: NOW + 60_000, slot: slots[0]! }),
        ChannelDeadlineError,
      );
      assert.equal(requests.length, 0);
      clockAt = slots[0]!.at + 1400;
      await sender.send(message, { deadline: NOW + 60_000, slot: slots[0]! });
      assert.equal(requests.length, 1, 'a little late is still within the budget’s margin');
    } finally {
      clockAt = NOW;
    }
  });

  it('grants a DingTalk robot ten messages per half minute, and Feishu five a second', async () => {
    const { sender } = aSender();
    assert.equal((await sender.reserve('dt', 20, NOW)).slots.length, 10);
    const feishu = await sender.reserve('fs', 20, NOW);
    const inFirstSecond = feishu.slots.filter((slot) => slot.at < NOW + 1000);
    assert.equal(inFirstSecond.length, 5);
  });
});
