import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelay, explainErrcode, knownErrcodes } from '../../../functions/channels/wecom/index.ts';
import { judge } from '../../../functions/channels/wecom/retry-policy.ts';

const answer = (data: unknown, status = 200) => ({ kind: 'answer' as const, status, data });
const noAnswer = (code: string, timedOut: boolean, sent: boolean) => ({
  kind: 'no-answer' as const,
  code,
  message: code,
  timedOut,
  sent,
});

describe('judge', () => {
  const table: [string, Parameters<typeof judge>[0], string][] = [
    ['errcode 0', answer({ errcode: 0, errmsg: 'ok' }), 'delivered'],
    ['errcode -1', answer({ errcode: -1, errmsg: 'system busy' }), 'retry'],
    ['errcode 45009', answer({ errcode: 45009, errmsg: 'api freq out of limit' }), 'retry'],
    ['errcode 93000', answer({ errcode: 93000, errmsg: 'invalid webhook url' }), 'rejected'],
    ['errcode 40058', answer({ errcode: 40058, errmsg: 'too long' }), 'rejected'],
    [
      'an unknown errcode',
      answer({ errcode: 60020, errmsg: 'not allow to access from your ip' }),
      'rejected',
    ],
    ['HTTP 200 without errcode', answer('<html>'), 'not-wecom'],
    ['HTTP 200 with a string errcode', answer({ errcode: '0' }), 'not-wecom'],
    ['HTTP 500', answer('', 500), 'retry'],
    ['HTTP 429', answer('', 429), 'retry'],
    ['HTTP 408', answer('', 408), 'retry'],
    ['HTTP 403', answer('', 403), 'not-wecom'],
    ['errcode 0 under HTTP 500', answer({ errcode: 0 }, 500), 'retry'],
    ['connection refused', noAnswer('ECONNREFUSED', false, false), 'retry'],
    ['connection reset', noAnswer('ECONNRESET', false, true), 'retry'],
    ['a connect timeout', noAnswer('ETIMEDOUT', true, false), 'retry'],
    ['a response timeout after sending', noAnswer('ETIMEDOUT', true, true), 'maybe-delivered'],
  ];
  for (const [name, outcome, verdict] of table) {
    it(`judges ${name} as ${verdict}`, () => assert.equal(judge(outcome).kind, verdict));
  }

  it('flags errcode 0 with a Warning errmsg as suspicious', () => {
    assert.deepEqual(judge(answer({ errcode: 0, errmsg: 'ok. Warning: wrong json format. ' })), {
      kind: 'delivered',
      errmsg: 'ok. Warning: wrong json format. ',
      suspicious: true,
    });
  });

  it('marks 45009 as rate limited and carries Retry-After', () => {
    assert.equal((judge(answer({ errcode: 45009 })) as { rateLimited: boolean }).rateLimited, true);
    const limited = judge({ ...answer('', 429), retryAfterSeconds: 3 });
    assert.equal((limited as { minDelayMs: number }).minDelayMs, 3000);
  });
});

describe('backoffDelay', () => {
  it('grows exponentially up to the cap, scaled by the jitter', () => {
    const opts = { baseMs: 250, capMs: 8000 };
    assert.deepEqual(
      [1, 2, 3, 6, 10].map((n) => backoffDelay(n, opts, () => 0.999999)),
      [249, 499, 999, 7999, 7999],
    );
    assert.equal(
      backoffDelay(4, opts, () => 0),
      0,
    );
  });
});

describe('errcode table', () => {
  it('retries only -1 and 45009', () => {
    assert.deepEqual(
      knownErrcodes()
        .filter((c) => explainErrcode(c).retryable)
        .sort(),
      [-1, 45009].sort(),
    );
  });

  it('explains unknown errcodes with WeCom’s lookup page and treats them as permanent', () => {
    const info = explainErrcode(60020);
    assert.equal(info.retryable, false);
    assert.match(info.action, /devtool\/query\?e=60020/);
  });
});
