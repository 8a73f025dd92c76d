import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { feishuSignature, signFeishuBody } from '../../../../functions/channels/feishu/index.ts';

// Computed once by hand, independently of the code under test (the key is "1700000000\nSEC0123456789abcdef"):
//   printf '' | openssl dgst -sha256 -hmac "$(printf '%s\n%s' 1700000000 SEC0123456789abcdef)" -binary | base64
const SECRET = 'SEC0123456789abcdef';
const TIMESTAMP_S = 1_700_000_000;
const EXPECTED_SIGN = 'PiO7POLlSx/DM2qf8Dy/XCWeJK3exVnevp5G99LEN2M=';

describe('Feishu signing', () => {
  it('matches the openssl vector: HMAC-SHA256 keyed by "timestamp\\nsecret" over an empty message, base64', () => {
    assert.equal(feishuSignature(SECRET, TIMESTAMP_S), EXPECTED_SIGN);
  });

  it('is not the DingTalk recipe, which Feishu refuses with 19021', async () => {
    const { dingtalkSignature } = await import('../../../../functions/channels/dingtalk/index.ts');
    assert.notEqual(dingtalkSignature(SECRET, TIMESTAMP_S), EXPECTED_SIGN);
  });

  it('puts timestamp (seconds, as a string) and sign into the body beside msg_type and content', () => {
    const body = signFeishuBody({ msg_type: 'text', content: { text: 'hi' } }, SECRET, TIMESTAMP_S);
    assert.deepEqual(body, {
      msg_type: 'text',
      content: { text: 'hi' },
      timestamp: '1700000000',
      sign: EXPECTED_SIGN,
    });
  });
});
