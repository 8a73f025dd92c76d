import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { envelopeBody, sqsSafeJson } from '../../../forwarder/queue/index.ts';
import { makeEnvelope } from '../../../contracts/index.ts';
import type { KubeEvent } from '../../../contracts/index.ts';

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
