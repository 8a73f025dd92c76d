import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ChannelDeadlineError,
  ChannelRateLimitedError,
  ChannelRejectedError,
  ChannelTimeoutError,
  ChannelTransientError,
} from '../../../functions/channels/delivery/index.ts';
import { WecomDeadlineError, WecomRejectedError } from '../../../functions/channels/wecom/index.ts';
import { deliverMessages } from '../../../functions/pipeline/deliver-stage.ts';
import type { MessageSender } from '../../../functions/pipeline/deliver-stage.ts';
import type { DeliveryOutcome, PlannedMessage } from '../../../functions/pipeline/types.ts';

const planned: PlannedMessage = {
  message: { receiver: 'team', msgtype: 'text', body: {}, bytes: 1, covers: [0] },
  events: [],
  mentions: { users: [], mobiles: [], all: false },
  overflow: false,
  slot: { webhook: 0, at: 0 },
};

/** The outcome of delivering one message with a sender that throws `error`. */
async function outcomeOf(error: Error): Promise<DeliveryOutcome> {
  const sender: MessageSender = {
    reserve: () => Promise.reject(new Error('not used')),
    send: () => Promise.reject(error),
  };
  return (await deliverMessages([planned], sender, 1000))[0]!;
}

const target = 'https://oapi.dingtalk.com/robot/send?access_token=****abcd';

describe('deliver stage', () => {
  const cases: Array<[string, Error, Pick<DeliveryOutcome, 'status'> & Record<string, unknown>]> = [
    [
      'DingTalk 130101 is a wait for budget, not a failure',
      new ChannelRateLimitedError('dingtalk', 130101, 'send too fast', 600_000, target),
      { status: 'retry', budget: true, errcode: 130101, attempts: 1 },
    ],
    [
      'no slot before the deadline on another channel is a wait for budget',
      new ChannelDeadlineError('feishu', target),
      { status: 'retry', budget: true, errcode: null, attempts: 0 },
    ],
    [
      'a busy platform is a failure to retry',
      new ChannelTransientError('feishu', 9499, 'too many request', 1000, target),
      { status: 'retry', budget: false, errcode: 9499 },
    ],
    [
      'a rejected signature goes to the DLQ',
      new ChannelRejectedError('dingtalk', 310000, 'sign not match', 'security check failed', target),
      { status: 'dead', errcode: 310000 },
    ],
    [
      'a timeout after sending is not sent again',
      new ChannelTimeoutError('webhook', 5000, target),
      { status: 'dead', errcode: null },
    ],
    [
      'WeCom errors keep their meaning',
      new WecomRejectedError(40008, 'invalid message type', 1, target),
      { status: 'dead', errcode: 40008 },
    ],
    [
      'a WeCom wait for its rate limit is a wait for budget',
      new WecomDeadlineError('rate-limit', null, '', 0, target),
      { status: 'retry', budget: true },
    ],
  ];
  for (const [name, error, expected] of cases) {
    it(name, async () => {
      const outcome = (await outcomeOf(error)) as unknown as Record<string, unknown>;
      for (const [key, value] of Object.entries(expected)) assert.equal(outcome[key], value, key);
      if (outcome.status !== 'sent') assert.equal(outcome.reason, error.message);
    });
  }

  it('lets a bug through instead of calling it a delivery failure', async () => {
    await assert.rejects(outcomeOf(new TypeError('boom')), TypeError);
  });
});
