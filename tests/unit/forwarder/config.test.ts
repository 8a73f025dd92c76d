import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, parseDuration, parseForwarderConfig } from '../../../forwarder/config/index.ts';
import { microTime } from '../../../forwarder/kube/index.ts';

describe('forwarder configuration', () => {
  it('parses durations such as 30s, 5m, 48h and 1h30m', () => {
    assert.deepEqual(
      ['30s', '5m', '48h', '1h30m', '250ms'].map(parseDuration),
      [30_000, 300_000, 172_800_000, 5_400_000, 250],
    );
    assert.equal(parseDuration('5 minutes'), undefined);
  });

  it('defaults to leader election in cluster and off with a kubeconfig, and --leader-elect=false turns it off', () => {
    const base = { queueUrl: 'q', clusterName: 'c' };
    const env = { POD_NAME: 'fwd-1', POD_NAMESPACE: 'ops' };
    assert.deepEqual(parseForwarderConfig(base, env).leaderElection, {
      namespace: 'ops',
      name: 'kube-wecom-forwarder',
      identity: 'fwd-1',
    });
    assert.equal(parseForwarderConfig({ ...base, kubeconfig: '/k' }, env).leaderElection, undefined);
    assert.equal(parseForwarderConfig({ ...base, leaderElect: 'false' }, env).leaderElection, undefined);
    assert.deepEqual(parseForwarderConfig(base, env).checkpoint, {
      namespace: 'ops',
      name: 'kube-wecom-forwarder-checkpoint',
    });
  });

  it('reads lists, the listen address and the buffer size, and names the flag and variable of a bad value', () => {
    const config = parseForwarderConfig(
      {
        queueUrl: 'q',
        clusterName: 'c',
        types: 'Warning',
        namespaces: 'a, b',
        listen: ':9090',
        bufferMaxEvents: '50',
      },
      {},
    );
    assert.deepEqual(
      [config.types, config.namespaces, config.listen, config.bufferMaxEvents],
      [['Warning'], ['a', 'b'], { host: '0.0.0.0', port: 9090 }, 50],
    );
    assert.throws(
      () => parseForwarderConfig({ clusterName: 'c' }, {}),
      /--queue-url \(or QUEUE_URL\) is required/,
    );
    assert.throws(
      () => parseForwarderConfig({ queueUrl: 'q', clusterName: 'c', maxEventAge: 'soon' }, {}),
      ConfigError,
    );
  });

  it('bounds the buffer by bytes too, 64Mi unless told, never below one SQS message', () => {
    const base = { queueUrl: 'q', clusterName: 'c' };
    assert.equal(parseForwarderConfig(base, {}).bufferMaxBytes, 64 * 1024 * 1024);
    assert.equal(parseForwarderConfig({ ...base, bufferMaxBytes: '512Ki' }, {}).bufferMaxBytes, 524_288);
    assert.equal(parseForwarderConfig({ ...base, bufferMaxBytes: '1Gi' }, {}).bufferMaxBytes, 1024 ** 3);
    assert.throws(
      () => parseForwarderConfig({ ...base, bufferMaxBytes: '64MB' }, {}),
      /--buffer-max-bytes: "64MB" is not a size such as 64Mi/,
    );
    assert.throws(
      () => parseForwarderConfig({ ...base, bufferMaxBytes: '100Ki' }, {}),
      /less than one SQS message may be \(256Ki\)/,
    );
  });

  it('keeps 32 SendMessageBatch calls in flight unless told, between 1 and 64', () => {
    const base = { queueUrl: 'q', clusterName: 'c' };
    assert.equal(parseForwarderConfig(base, {}).sendConcurrency, 32);
    assert.equal(parseForwarderConfig({ ...base, sendConcurrency: '8' }, {}).sendConcurrency, 8);
    assert.throws(
      () => parseForwarderConfig({ ...base, sendConcurrency: '0' }, {}),
      /--send-concurrency: "0" is not a positive integer/,
    );
    assert.throws(
      () => parseForwarderConfig({ ...base, sendConcurrency: '65' }, {}),
      /--send-concurrency: "65" is more than 64/,
    );
  });

  it('writes Lease times in MicroTime precision, as the API server requires', () => {
    assert.equal(microTime(Date.parse('2026-11-27T10:00:00Z')), '2026-11-27T10:00:00.000000Z');
    assert.equal(microTime(Date.parse('2026-11-27T10:00:00.123Z')), '2026-11-27T10:00:00.123000Z');
  });
});
