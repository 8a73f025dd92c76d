import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  allowedHostsFromEnv,
  checkWebhookUrl,
  parseAllowedHosts,
  redactWebhook,
  WecomWebhookError,
} from '../../../functions/channels/wecom/index.ts';
import { scrubKey } from '../../../functions/channels/wecom/webhook-url.ts';

const KEY = '693a91f6-7aaa-4bc4-97a0-0ec2sifa1234';
const WECOM = `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${KEY}`;

describe('redactWebhook', () => {
  it('keeps only the last four characters of the key', () => {
    assert.equal(redactWebhook(WECOM), 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=****1234');
  });

  it('hides short keys entirely and keeps other parameters', () => {
    assert.equal(
      redactWebhook('http://127.0.0.1:8080/send?debug=1&key=abc'),
      'http://127.0.0.1:8080/send?debug=1&key=****',
    );
  });

  it('replaces anything unparseable, which may be a bare key', () => {
    assert.equal(redactWebhook(KEY), '[unparseable webhook URL]');
  });

  it('hides credentials in the URL', () => {
    assert.ok(!redactWebhook('https://user:secret@example.com/?key=x').includes('secret'));
  });
});

describe('scrubKey', () => {
  it('scrubs the key as written, URL-encoded and in another letter case', () => {
    const key = 'ab/cd+ef-1234';
    const echoed = `errmsg: bad key ${key}, url ?key=${encodeURIComponent(key)}, ${key.toUpperCase()}`;
    const scrubbed = scrubKey(echoed, key);
    assert.equal(scrubbed, 'errmsg: bad key ****1234, url ?key=****1234, ****1234');
  });

  it('redacts a key under another spelling of the parameter', () => {
    assert.equal(redactWebhook('https://h/send?KEY=abcdef1234'), 'https://h/send?KEY=****1234');
  });
});

describe('checkWebhookUrl', () => {
  it('allows WeCom’s send endpoint without configuration', () => {
    const target = checkWebhookUrl(WECOM, []);
    assert.equal(target.key, KEY);
    assert.equal(target.redacted, 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=****1234');
  });

  for (const [why, url] of [
    ['plain http to WeCom', WECOM.replace('https:', 'http:')],
    ['another WeCom path', WECOM.replace('/send', '/upload_media')],
    ['a look-alike host', WECOM.replace('qq.com', 'qq.com.example')],
    ['another port', WECOM.replace('qq.com/', 'qq.com:8443/')],
    ['a loopback emulator not allow-listed', `http://127.0.0.1:9000/cgi-bin/webhook/send?key=${KEY}`],
  ]) {
    it(`refuses ${why}`, () => {
      assert.throws(
        () => checkWebhookUrl(url!, []),
        (e: unknown) => e instanceof WecomWebhookError && !e.message.includes(KEY),
      );
    });
  }

  it('allows an allow-listed host:port over http or https, on any path', () => {
    assert.equal(checkWebhookUrl(`http://127.0.0.1:9000/x?key=${KEY}`, ['127.0.0.1:9000']).key, KEY);
    assert.equal(
      checkWebhookUrl(`https://proxy.internal/wecom/send?key=${KEY}`, ['proxy.internal']).key,
      KEY,
    );
    assert.equal(checkWebhookUrl(`https://proxy.internal:443/send?key=${KEY}`, ['proxy.internal']).key, KEY);
  });

  it('matches a host without port only on its scheme’s default port', () => {
    assert.throws(
      () => checkWebhookUrl(`http://127.0.0.1:9000/x?key=${KEY}`, ['127.0.0.1']),
      WecomWebhookError,
    );
  });

  it('refuses other schemes, credentials and a missing key', () => {
    assert.throws(
      () => checkWebhookUrl(`ftp://127.0.0.1:9000/?key=${KEY}`, ['127.0.0.1:9000']),
      WecomWebhookError,
    );
    assert.throws(
      () => checkWebhookUrl(`http://u:p@127.0.0.1:9000/?key=${KEY}`, ['127.0.0.1:9000']),
      /credentials/,
    );
    assert.throws(
      () => checkWebhookUrl('https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=', []),
      /no key/,
    );
  });
});

describe('allowed hosts from the environment', () => {
  it('parses a comma-separated host[:port] list, case-insensitively', () => {
    assert.deepEqual(parseAllowedHosts(' 127.0.0.1:8900, Proxy.Internal ,,'), [
      '127.0.0.1:8900',
      'proxy.internal',
    ]);
    assert.deepEqual(allowedHostsFromEnv({ KUBE_WECOM_ALLOWED_WEBHOOK_HOSTS: 'localhost:1' }), [
      'localhost:1',
    ]);
    assert.deepEqual(allowedHostsFromEnv({}), []);
  });

  it('refuses entries that are URLs rather than hosts', () => {
    assert.throws(() => parseAllowedHosts('http://evil.example/'), /expected host\[:port\]/);
  });
});
