import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { SSMClient } from '@aws-sdk/client-ssm';
import {
  SsmWebhookError,
  WebhookRefError,
  WebhookResolver,
  type SsmFailure,
} from '../../../functions/channels/wecom/index.ts';

const KEY = '693a91f6-7aaa-4bc4-97a0-0ec2sifa1234';

/** A loopback stand-in for SSM speaking its JSON 1.1 protocol, for `AmazonSSM.GetParameters` only. */
let server: Server;
let parameters: Record<string, string>;
let calls: { target: string; names: string[]; withDecryption: boolean }[];
let failWith: { status: number; type: string } | null;

before(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
    req.on('end', () => {
      const body = JSON.parse(raw) as { Names: string[]; WithDecryption: boolean };
      calls.push({
        target: String(req.headers['x-amz-target']),
        names: body.Names,
        withDecryption: body.WithDecryption,
      });
      res.setHeader('content-type', 'application/x-amz-json-1.1');
      if (failWith) {
        res.statusCode = failWith.status;
        res.end(JSON.stringify({ __type: failWith.type, message: 'stand-in failure' }));
        return;
      }
      const found = body.Names.filter((n) => n in parameters);
      res.end(
        JSON.stringify({
          Parameters: found.map((Name) => ({
            Name,
            Type: 'SecureString',
            Value: parameters[Name],
            Version: 1,
          })),
          InvalidParameters: body.Names.filter((n) => !(n in parameters)),
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  parameters = {};
  calls = [];
  failWith = null;
});

function ssm(endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`): SSMClient {
  return new SSMClient({
    endpoint,
    region: 'cn-north-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    maxAttempts: 1,
  });
}

describe('WebhookResolver with SSM', () => {
  it('reads ssm:/path with decryption: a bare key becomes WeCom’s URL, a URL stays as is', async () => {
    parameters = {
      '/kube-wecom/dev/payments': KEY,
      '/kube-wecom/dev/local': `http://127.0.0.1:1/s?key=${KEY}`,
    };
    const resolved = await new WebhookResolver({ ssm: ssm() }).resolveAll([
      'ssm:/kube-wecom/dev/payments',
      'ssm:/kube-wecom/dev/local',
    ]);
    assert.equal(
      resolved.get('ssm:/kube-wecom/dev/payments'),
      `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${KEY}`,
    );
    assert.equal(resolved.get('ssm:/kube-wecom/dev/local'), `http://127.0.0.1:1/s?key=${KEY}`);
    assert.deepEqual(calls, [
      {
        target: 'AmazonSSM.GetParameters',
        names: ['/kube-wecom/dev/payments', '/kube-wecom/dev/local'],
        withDecryption: true,
      },
    ]);
  });

  it('batches up to 10 names per GetParameters call and reads each parameter once per process', async () => {
    const names = Array.from({ length: 23 }, (_, i) => `/robots/r${i}`);
    parameters = Object.fromEntries(names.map((n, i) => [n, `key-${i}`]));
    const resolver = new WebhookResolver({ ssm: ssm() });
    const refs = names.map((n) => `ssm:${n}`);
    await resolver.resolveAll([...refs, ...refs.slice(0, 5)]);
    await resolver.resolve('ssm:/robots/r7');
    // The three calls are in flight at once, so they may reach the stand-in in any order.
    assert.deepEqual(
      calls.map((c) => c.names.length).sort((a, b) => b - a),
      [10, 10, 3],
    );
  });

  it('mixes env:, ssm: and literal references in one call', async () => {
    parameters = { '/a': 'key-a' };
    const resolver = new WebhookResolver({ ssm: ssm(), env: { B: 'key-b' } });
    const resolved = await resolver.resolveAll(['ssm:/a', 'env:B', 'http://127.0.0.1:2/s?key=c']);
    assert.deepEqual(
      [...resolved.values()].map((u) => new URL(u).searchParams.get('key')),
      ['key-a', 'key-b', 'c'],
    );
  });

  it('fails permanently for a missing parameter, naming it, and does not cache the failure', async () => {
    const resolver = new WebhookResolver({ ssm: ssm() });
    await assert.rejects(
      resolver.resolve('ssm:/missing'),
      (e: unknown) => e instanceof WebhookRefError && !e.retryable && /ssm:\/missing/.test(e.message),
    );
    parameters = { '/missing': 'created-later' };
    assert.match(await resolver.resolve('ssm:/missing'), /key=created-later$/);
  });

  it('reports throttling as retryable and access denied as permanent', async () => {
    failWith = { status: 400, type: 'ThrottlingException' };
    await assert.rejects(
      new WebhookResolver({ ssm: ssm() }).resolve('ssm:/a'),
      (e: unknown) => e instanceof WebhookRefError && e.retryable,
    );
    failWith = { status: 400, type: 'AccessDeniedException' };
    await assert.rejects(
      new WebhookResolver({ ssm: ssm() }).resolve('ssm:/a'),
      (e: unknown) => e instanceof WebhookRefError && !e.retryable,
    );
  });

  it('says what is missing, and calls only network, throttling and server errors transient', async () => {
    const cases: Array<[{ status: number; type: string } | null, SsmFailure, boolean]> = [
      [{ status: 400, type: 'UnrecognizedClientException' }, 'credentials-rejected', false],
      [{ status: 400, type: 'ExpiredTokenException' }, 'credentials-rejected', false],
      [{ status: 400, type: 'AccessDeniedException' }, 'access-denied', false],
      [{ status: 400, type: 'ThrottlingException' }, 'throttled', true],
      [{ status: 503, type: 'InternalServerError' }, 'server-error', true],
      [null, 'parameter-not-found', false],
    ];
    for (const [failure, expected, retryable] of cases) {
      failWith = failure;
      await assert.rejects(
        new WebhookResolver({ ssm: ssm() }).resolve('ssm:/a'),
        (e: unknown) => e instanceof SsmWebhookError && e.failure === expected && e.retryable === retryable,
        expected,
      );
    }
    // Nothing listens on port 9 of loopback: no HTTP answer at all.
    await assert.rejects(
      new WebhookResolver({ ssm: ssm('http://127.0.0.1:9') }).resolve('ssm:/a'),
      (e: unknown) => e instanceof SsmWebhookError && e.failure === 'unreachable' && e.retryable,
    );
  });

  it('never puts a parameter value in an error', async () => {
    parameters = { '/bad': `${KEY} <- pasted with a note` };
    await assert.rejects(
      new WebhookResolver({ ssm: ssm() }).resolve('ssm:/bad'),
      (e: unknown) => e instanceof WebhookRefError && !e.message.includes(KEY),
    );
  });
});
