import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dingtalkSignature, signDingtalkUrl } from '../../../../functions/channels/dingtalk/index.ts';

// Computed once by hand, independently of the code under test:
//   printf '%s\n%s' 1700000000000 SEC0123456789abcdef | openssl dgst -sha256 -hmac SEC0123456789abcdef -binary | base64
const SECRET = 'SEC0123456789abcdef';
const TIMESTAMP_MS = 1_700_000_000_000;
const EXPECTED_SIGN = 'TSZbRFUuvaSQaRKUpF970OPCb2/LcQAP3wOvwZIzBZk=';

describe('DingTalk signing', () => {
  it('matches the openssl vector: HMAC-SHA256 keyed by the secret over "timestamp\\nsecret", base64', () => {
    assert.equal(dingtalkSignature(SECRET, TIMESTAMP_MS), EXPECTED_SIGN);
  });

  it('adds timestamp (ms) and the URL-encoded sign to the query, keeping the access_token', () => {
    const url = signDingtalkUrl(
      'https://oapi.dingtalk.com/robot/send?access_token=abc',
      SECRET,
      TIMESTAMP_MS,
    );
    assert.equal(
      url,
      'https://oapi.dingtalk.com/robot/send?access_token=abc&timestamp=1700000000000' +
        '&sign=TSZbRFUuvaSQaRKUpF970OPCb2%2FLcQAP3wOvwZIzBZk%3D',
    );
  });

  it('changes with the timestamp, so every request carries a fresh one', () => {
    assert.notEqual(dingtalkSignature(SECRET, TIMESTAMP_MS + 1), EXPECTED_SIGN);
  });
});
