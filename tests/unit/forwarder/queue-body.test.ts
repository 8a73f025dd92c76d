import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SigV4Signer, amzDate, sha256Hex } from '../../../forwarder/queue/sigv4.ts';
import { envelopeBody, sqsSafeJson } from '../../../forwarder/queue/index.ts';
import { makeEnvelope } from '../../../contracts/index.ts';
import type { KubeEvent } from '../../../contracts/index.ts';

// A SendMessageBatch request as @aws-sdk/client-sqs 3.1175 signed it (captured on loopback).
const SDK_REQUEST = {
  body: '{"QueueUrl":"https://sqs.us-east-1.amazonaws.com/1/q","Entries":[{"Id":"0","MessageBody":"abc"}]}',
  headers: {
    'content-type': 'application/x-amz-json-1.0',
    'x-amz-target': 'AmazonSQS.SendMessageBatch',
    'x-amzn-query-mode': 'true',
    'content-length': '97',
    'x-amz-user-agent': 'aws-sdk-js/3.1174.0',
    host: '127.0.0.1:33015',
    'amz-sdk-invocation-id': '4b4c8e34-36a4-4ac7-9fb4-efdc997014ad',
    'amz-sdk-request': 'attempt=1; max=3',
    'x-amz-date': '20261127T150655Z',
    'x-amz-security-token': 'TOK',
    'x-amz-content-sha256': '880c187ab7867ec22550854229dcfa83f343870ed7ee4efdd20c8a3e48a2486e',
  },
  authorization:
    'AWS4-HMAC-SHA256 Credential=AK/20261127/us-east-1/sqs/aws4_request, SignedHeaders=amz-sdk-invocation-id;amz-sdk-request;content-length;content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token;x-amz-target;x-amz-user-agent;x-amzn-query-mode, Signature=657f988050a39f6a90b210a4dd67445761159a6a844f68929d399bd6cadc3e78',
};

describe('SigV4Signer', () => {
  it('produces the signature the AWS SDK produced for the same request', () => {
    const signer = new SigV4Signer();
    const input = {
      method: 'POST',
      path: '/',
      headers: SDK_REQUEST.headers,
      payloadHash: sha256Hex(SDK_REQUEST.body),
      region: 'us-east-1',
      service: 'sqs',
      amzDate: SDK_REQUEST.headers['x-amz-date'],
      credentials: { accessKeyId: 'AK', secretAccessKey: 'SK', sessionToken: 'TOK' },
    };
    assert.equal(input.payloadHash, SDK_REQUEST.headers['x-amz-content-sha256']);
    assert.equal(signer.authorization(input), SDK_REQUEST.authorization);
    // The cached signing key gives the same answer, and a changed secret does not reuse it.
    assert.equal(signer.authorization(input), SDK_REQUEST.authorization);
    const other = signer.authorization({
      ...input,
      credentials: { ...input.credentials, secretAccessKey: 'X' },
    });
    assert.notEqual(other, SDK_REQUEST.authorization);
  });

  it('formats x-amz-date in ISO 8601 basic format', () => {
    assert.equal(amzDate(Date.parse('2026-11-27T15:06:55.123Z')), '20261127T150655Z');
  });
});

describe('queue message bodies', () => {
  const event = {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: 'web-0.1', namespace: 'default', uid: 'u1' },
    message: 'Back-off 🔥 重启失败 "quoted"',
  } as unknown as KubeEvent;

  it('splices the event text into the same envelope makeEnvelope builds', () => {
    const namespace = { labels: { team: 'pay' }, annotations: { 'kube-wecom/owners': 'wangqing' } };
    const body = envelopeBody({
      clusterJson: JSON.stringify('prod-sh'),
      watchType: 'MODIFIED',
      observedAt: '2026-11-27T10:00:00.000Z',
      eventJson: JSON.stringify(event),
      namespaceJson: JSON.stringify(namespace),
    });
    const expected = makeEnvelope({
      cluster: 'prod-sh',
      watchType: 'MODIFIED',
      observedAt: '2026-11-27T10:00:00.000Z',
      event,
      namespace,
    });
    assert.deepEqual(JSON.parse(body), expected);
    assert.equal(body, sqsSafeJson(JSON.stringify(expected)));
  });

  it('escapes characters beyond U+FFFF so every SQS accepts the body, and keeps the value', () => {
    const json = JSON.stringify({ message: 'x🔥y', lone: '\ud800' });
    const safe = sqsSafeJson(json);
    assert.equal(safe, '{"message":"x\\ud83d\\udd25y","lone":"\\ud800"}');
    assert.deepEqual(JSON.parse(safe), JSON.parse(json));
    assert.equal(sqsSafeJson('{"a":"中文"}'), '{"a":"中文"}');
  });
});
