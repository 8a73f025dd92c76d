import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rfc3339 } from '../../../emulators/kube-apiserver/index.ts';
import { metricValue, names, startTestEnv } from './env.ts';
import { waitFor } from '../../helpers/wait-for.ts';
import type { TestEnv } from './env.ts';

describe('forwarder: events to the queue', () => {
  let env: TestEnv;
  before(async () => {
    env = await startTestEnv();
  });
  after(() => env.close());

  it('forwards recent listed events and watched events as envelope v1, enriched with namespace labels and annotations, skipping history, repeats without change and deletions', async () => {
    const { fake } = env;
    fake.upsertNamespace('pay', { team: 'pay' }, { 'kube-wecom/owners': 'wangqing' });
    const hourAgo = rfc3339(new Date(Date.now() - 3_600_000));
    fake.createEvent({ namespace: 'pay', name: 'old.1', firstTimestamp: hourAgo, lastTimestamp: hourAgo });
    fake.createEvent({ namespace: 'pay', name: 'recent.1', type: 'Warning', reason: 'BackOff' });

    const { forwarder, metrics } = env.forwarder();
    await forwarder.start();
    await waitFor('readiness', () => forwarder.status().ready);

    fake.createEvent({
      namespace: 'pay',
      name: 'watched.1',
      involvedObject: { kind: 'Pod', namespace: 'pay', name: 'api-0' },
    });
    fake.createEvent({
      namespace: 'default',
      name: 'node.1',
      involvedObject: { kind: 'Node', name: 'node-1' },
    });
    const first = await env.collect(3);
    assert.deepEqual(names(first), ['node.1', 'recent.1', 'watched.1']);

    const recent = first.find((e) => e.event.metadata?.name === 'recent.1')!;
    assert.equal(recent.v, 1);
    assert.equal(recent.cluster, 'test-cluster');
    assert.equal(recent.watchType, 'ADDED');
    assert.deepEqual(recent.namespace, {
      labels: { team: 'pay' },
      annotations: { 'kube-wecom/owners': 'wangqing' },
    });
    // Listed items come from client-node as Date objects; the envelope carries the API server's strings.
    assert.equal(typeof (recent.event as { lastTimestamp?: unknown }).lastTimestamp, 'string');
    assert.match(
      (recent.event as { lastTimestamp: string }).lastTimestamp,
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
    );
    assert.equal(
      first.find((e) => e.event.metadata?.name === 'node.1')!.namespace,
      undefined,
      'cluster-scoped objects carry no namespace enrichment',
    );

    fake.repeatEvent('pay', 'watched.1');
    const stored = fake.store.get('events', 'pay', 'watched.1')!;
    fake.store.update('events', 'pay', 'watched.1', { ...stored, message: 'same count, same time' });
    fake.store.delete('events', 'pay', 'recent.1');
    const second = await env.collect(1);
    assert.deepEqual(
      second.map((e) => [e.event.metadata?.name, e.watchType, (e.event as { count?: number }).count]),
      [['watched.1', 'MODIFIED', 2]],
    );
    assert.equal(
      await metricValue(metrics, 'kube_wecom_forwarder_events_skipped_total', { reason: 'unchanged' }),
      1,
    );
    assert.equal(
      await metricValue(metrics, 'kube_wecom_forwarder_events_skipped_total', { reason: 'too_old' }),
      1,
    );
    assert.equal(
      await metricValue(metrics, 'kube_wecom_forwarder_events_skipped_total', { reason: 'deleted' }),
      1,
    );
    assert.equal(await metricValue(metrics, 'kube_wecom_forwarder_events_forwarded_total'), 4);
    await forwarder.stop();
  });
});
