import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ChannelAnswerError,
  ChannelDeadlineError,
  ChannelEndpointError,
  ChannelRateLimitedError,
  ChannelRejectedError,
  ChannelTimeoutError,
  ChannelTransientError,
  type ChannelError,
  type ChannelSendResult,
  type HttpOutcome,
  type HttpPoster,
} from '../../../../functions/channels/delivery/index.ts';
import { DingtalkClient } from '../../../../functions/channels/dingtalk/index.ts';
import { FeishuClient } from '../../../../functions/channels/feishu/index.ts';
import { WebhookClient } from '../../../../functions/channels/webhook/index.ts';
import { answer, fakePoster, noAnswer } from '../fake-poster.ts';

const NOW = Date.UTC(2026, 11, 6, 12);
const DEADLINE = NOW + 10_000;
type Send = (poster: HttpPoster) => Promise<ChannelSendResult>;

const SENDERS: Record<'dingtalk' | 'feishu' | 'webhook', Send> = {
  dingtalk: (poster) =>
    new DingtalkClient({ poster, clock: () => NOW }).send(
      'https://oapi.dingtalk.com/robot/send?access_token=t0ken-0123456789',
      { msgtype: 'text', text: { content: 'x' }, at: { atMobiles: [], atUserIds: [], isAtAll: false } },
      { deadline: DEADLINE },
    ),
  feishu: (poster) =>
    new FeishuClient({ poster, clock: () => NOW }).send(
      'https://open.feishu.cn/open-apis/bot/v2/hook/0123456789abcdef-token',
      { msg_type: 'text', content: { text: 'x' } },
      { deadline: DEADLINE },
    ),
  webhook: (poster) =>
    new WebhookClient({ poster, clock: () => NOW }).send(
      'https://hooks.example.com/alerts',
      { method: 'POST', headers: {}, body: '{}' },
      { deadline: DEADLINE, allowedHosts: ['hooks.example.com'] },
    ),
};

interface Row {
  channel: keyof typeof SENDERS;
  outcome: HttpOutcome;
  /** `null`: delivered. */
  error: null | {
    type: abstract new (...args: never[]) => ChannelError;
    retryable: boolean;
    retryAfterMs: number;
  };
}

const rejected = { type: ChannelRejectedError, retryable: false, retryAfterMs: 0 };
const transient = { type: ChannelTransientError, retryable: true, retryAfterMs: 1000 };
const foreign = { type: ChannelAnswerError, retryable: false, retryAfterMs: 0 };

const ROWS: Array<[string, Row]> = [
  [
    'DingTalk errcode 0 is delivered',
    { channel: 'dingtalk', outcome: answer({ errcode: 0, errmsg: 'ok' }), error: null },
  ],
  [
    'DingTalk 130101 is rate-limited for the 10-minute block',
    {
      channel: 'dingtalk',
      outcome: answer({ errcode: 130101, errmsg: 'send too fast' }),
      error: { type: ChannelRateLimitedError, retryable: true, retryAfterMs: 600_000 },
    },
  ],
  [
    'DingTalk 310000 (sign, keyword, IP) is permanent',
    { channel: 'dingtalk', outcome: answer({ errcode: 310000, errmsg: 'sign not match' }), error: rejected },
  ],
  [
    'DingTalk 300001 (token) is permanent',
    {
      channel: 'dingtalk',
      outcome: answer({ errcode: 300001, errmsg: 'token is not exist' }),
      error: rejected,
    },
  ],
  [
    'DingTalk 460101 (too long) is permanent',
    { channel: 'dingtalk', outcome: answer({ errcode: 460101, errmsg: 'too long' }), error: rejected },
  ],
  [
    'DingTalk -1 (busy) is transient',
    { channel: 'dingtalk', outcome: answer({ errcode: -1, errmsg: 'busy' }), error: transient },
  ],
  [
    'DingTalk unknown codes are permanent',
    { channel: 'dingtalk', outcome: answer({ errcode: 999999, errmsg: '?' }), error: rejected },
  ],
  [
    'DingTalk HTTP 200 without errcode is foreign',
    { channel: 'dingtalk', outcome: answer('<html>'), error: foreign },
  ],
  [
    'Feishu code 0 is delivered',
    { channel: 'feishu', outcome: answer({ code: 0, msg: 'success', data: {} }), error: null },
  ],
  [
    'Feishu StatusCode 0 (older robots) is delivered',
    { channel: 'feishu', outcome: answer({ StatusCode: 0, StatusMessage: 'success' }), error: null },
  ],
  [
    'Feishu 9499 is transient',
    { channel: 'feishu', outcome: answer({ code: 9499, msg: 'too many request' }), error: transient },
  ],
  [
    'Feishu 11232 is rate-limited for a minute',
    {
      channel: 'feishu',
      outcome: answer({ code: 11232, msg: 'frequency limited' }),
      error: { type: ChannelRateLimitedError, retryable: true, retryAfterMs: 60_000 },
    },
  ],
  [
    'Feishu 19021 (sign) is permanent',
    { channel: 'feishu', outcome: answer({ code: 19021, msg: 'sign match fail' }), error: rejected },
  ],
  [
    'Feishu 19022 (IP) is permanent',
    { channel: 'feishu', outcome: answer({ code: 19022, msg: 'Ip Not Allowed' }), error: rejected },
  ],
  [
    'Feishu 19024 (keyword) is permanent',
    { channel: 'feishu', outcome: answer({ code: 19024, msg: 'Key Words Not Found' }), error: rejected },
  ],
  [
    'Feishu StatusCode 19021 is permanent too',
    { channel: 'feishu', outcome: answer({ StatusCode: 19021, StatusMessage: 'sign' }), error: rejected },
  ],
  ['a webhook 204 is delivered', { channel: 'webhook', outcome: answer('', 204), error: null }],
  [
    'a webhook 200 with any body is delivered',
    { channel: 'webhook', outcome: answer({ errcode: 1 }), error: null },
  ],
  ['a webhook 400 is permanent', { channel: 'webhook', outcome: answer('bad', 400), error: foreign }],
  [
    'a webhook 429 waits for Retry-After',
    {
      channel: 'webhook',
      outcome: answer('slow down', 429, 30),
      error: { type: ChannelRateLimitedError, retryable: true, retryAfterMs: 30_000 },
    },
  ],
  [
    'a webhook 503 is transient and honours Retry-After',
    { channel: 'webhook', outcome: answer('', 503, 5), error: { ...transient, retryAfterMs: 5000 } },
  ],
  [
    'a refused connection is transient',
    { channel: 'dingtalk', outcome: noAnswer('ECONNREFUSED'), error: transient },
  ],
  [
    'a timeout after sending is not retried: it may have been delivered',
    {
      channel: 'feishu',
      outcome: noAnswer('ETIMEDOUT', true),
      error: { type: ChannelTimeoutError, retryable: false, retryAfterMs: 0 },
    },
  ],
  [
    'a timeout before the request went out (a hanging connect or lookup) is transient',
    { channel: 'feishu', outcome: noAnswer('ETIMEDOUT', true, false), error: transient },
  ],
];

describe('channel clients judge answers', () => {
  for (const [name, row] of ROWS) {
    it(name, async () => {
      const { poster } = fakePoster(row.outcome);
      const send = SENDERS[row.channel](poster);
      if (row.error === null) {
        const result = await send;
        assert.equal(result.status >= 200 && result.status < 300, true);
        return;
      }
      const { type, retryable, retryAfterMs } = row.error;
      await assert.rejects(send, (err: ChannelError) => {
        assert.ok(err instanceof type, `${err.name}: ${err.message}`);
        assert.equal(err.channel, row.channel);
        assert.deepEqual(
          { retryable: err.retryable, retryAfterMs: err.retryAfterMs },
          { retryable, retryAfterMs },
        );
        return true;
      });
    });
  }

  it('never puts the robot token or the signature in an error message', async () => {
    const { poster } = fakePoster(answer({ errcode: 310000, errmsg: 'sign not match' }));
    const send = new DingtalkClient({ poster, clock: () => NOW }).send(
      'https://oapi.dingtalk.com/robot/send?access_token=secret-robot-token-1234',
      { msgtype: 'text', text: { content: 'x' }, at: { atMobiles: [], atUserIds: [], isAtAll: false } },
      { deadline: DEADLINE, secret: 'SECsecret' },
    );
    await assert.rejects(send, (err: Error) => {
      assert.doesNotMatch(err.message, /secret-robot-token|SECsecret/);
      assert.match(err.message, /access_token=\*\*\*\*1234/);
      return true;
    });
  });

  it('refuses hosts that are neither the platform nor allowed, before sending anything', async () => {
    const { poster, requests } = fakePoster();
    const send = new FeishuClient({ poster }).send(
      'https://evil.example.com/open-apis/bot/v2/hook/x',
      { msg_type: 'text', content: { text: 'x' } },
      { deadline: Date.now() + 1000 },
    );
    await assert.rejects(send, ChannelEndpointError);
    assert.equal(requests.length, 0);
  });

  it('sends nothing once the deadline has passed', async () => {
    const { poster, requests } = fakePoster();
    const late = new WebhookClient({ poster, clock: () => DEADLINE }).send(
      'https://hooks.example.com/alerts',
      { method: 'POST', headers: {}, body: '{}' },
      { deadline: DEADLINE, allowedHosts: ['hooks.example.com'] },
    );
    await assert.rejects(late, ChannelDeadlineError);
    assert.equal(requests.length, 0);
  });

  it('caps the request timeout at the time left before the deadline', async () => {
    const { poster, requests } = fakePoster(answer({ errcode: 0, errmsg: 'ok' }));
    await new DingtalkClient({ poster, clock: () => DEADLINE - 300 }).send(
      'https://oapi.dingtalk.com/robot/send?access_token=t',
      { msgtype: 'text', text: { content: 'x' }, at: { atMobiles: [], atUserIds: [], isAtAll: false } },
      { deadline: DEADLINE },
    );
    assert.equal(requests[0]!.timeoutMs, 300);
  });
});
