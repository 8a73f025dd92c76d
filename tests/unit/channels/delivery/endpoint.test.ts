import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ChannelEndpointError,
  checkEndpoint,
  redactUrl,
} from '../../../../functions/channels/delivery/index.ts';
import { FEISHU_ENDPOINTS } from '../../../../functions/channels/feishu/index.ts';

const check = (url: string, allowed: string[] = []) =>
  checkEndpoint('feishu', url, FEISHU_ENDPOINTS, allowed);

describe('checkEndpoint', () => {
  it('allows the platform endpoints over https, Feishu and Lark alike', () => {
    check('https://open.feishu.cn/open-apis/bot/v2/hook/abc');
    check('https://open.larksuite.com/open-apis/bot/v2/hook/abc');
  });

  it('refuses http, look-alike hosts, other paths and credentials, unless the deployment allows the host', () => {
    for (const url of [
      'http://open.feishu.cn/open-apis/bot/v2/hook/abc',
      'https://open.feishu.cn.evil.example/open-apis/bot/v2/hook/abc',
      'https://open.feishu.cn/open-apis/im/v1/messages',
      'https://user:pass@open.feishu.cn/open-apis/bot/v2/hook/abc',
      'not a url',
    ]) {
      assert.throws(() => check(url), ChannelEndpointError, url);
    }
  });

  it('allows an allowed host on exactly its port', () => {
    check('http://127.0.0.1:8080/open-apis/bot/v2/hook/abc', ['127.0.0.1:8080']);
    assert.throws(() => check('http://127.0.0.1:8081/x', ['127.0.0.1:8080']), ChannelEndpointError);
    check('https://hooks.example.com/x', ['hooks.example.com']);
    check('https://hooks.example.com/x', ['hooks.example.com:443']);
  });
});

describe('redactUrl', () => {
  it('keeps the last 4 characters of tokens, signatures, secrets and long last path segments', () => {
    assert.equal(
      redactUrl(
        'https://oapi.dingtalk.com/robot/send?access_token=abcdef0123456789&timestamp=1&sign=xyzw%2Fabcd',
      ),
      'https://oapi.dingtalk.com/robot/send?access_token=****6789&timestamp=1&sign=****abcd',
    );
    assert.equal(
      redactUrl('https://open.feishu.cn/open-apis/bot/v2/hook/0123456789abcdef-token'),
      'https://open.feishu.cn/open-apis/bot/v2/hook/****oken',
    );
    assert.equal(
      redactUrl('https://q/cgi-bin/gettoken?corpid=ww1&corpsecret=s3'),
      'https://q/cgi-bin/gettoken?corpid=ww1&corpsecret=****',
    );
  });

  it('hides anything that does not parse, which may be a bare token', () => {
    assert.equal(redactUrl('abcdef0123456789'), '[unparseable URL]');
  });
});
