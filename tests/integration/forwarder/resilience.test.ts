import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigMapCheckpointStore } from '../../../forwarder/checkpoint/index.ts';
import { metricValue, names, startTestEnv } from './env.ts';
import { waitFor } from '../../helpers/wait-for.ts';
import type { TestEnv } from './env.ts';

describe('forwarder: no duplicates and no gaps across failures', () => {
  let env: TestEnv;
  beforeEach(async () => {
    env = await startTestEnv();
  });
  afterEach(() => env.close());

  const createMany = (prefix: string, n: number, spec: Record<string, unknown> = {}) => {
    for (let i = 0; i < n; i++)
      env.fake.createEvent({ namespace: 'default', name: `${prefix}.${i}`, ...spec });
  };
  const range = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}.${i}`).sort();

  it('resumes a dropped watch from its resourceVersion, and relists after 410 Gone forwarding only what it missed', async () => {
    const { forwarder, metrics } = env.forwarder();
    await forwarder.start();
    createMany('before', 5);
    assert.deepEqual(names(await env.collect(5)), range('before', 5));

    // A plain drop: the watch resumes from the last resourceVersion.
    env.fake.dropWatches();
    createMany('drop', 5);
    assert.deepEqual(names(await env.collect(5)), range('drop', 5));

    // Drop, then events the watch never sees, then compaction: resuming gets 410 and the relist fills the gap.
    env.fake.dropWatches();
    createMany('gap', 5);
    env.fake.repeatEvent('default', 'before.0');
    env.fake.compact();
    const after410 = await env.collect(6);
    assert.deepEqual(names(after410), [...range('gap', 5), 'before.0'].sort());
    assert.equal(after410.find((e) => e.event.metadata?.name === 'before.0')!.watchType, 'MODIFIED');
    assert.ok(
      (await metricValue(metrics, 'kube_wecom_forwarder_watch_expired_total', { resource: 'events' })) >= 1,
    );
  });

  it('keeps watching through API server errors with backoff instead of exiting', async () => {
    const { forwarder, metrics } = env.forwarder();
    await forwarder.start();
    env.fake.failNext(3, { match: /^\/api\/v1\/events$/ });
    env.fake.dropWatches();
    createMany('after-errors', 3);
    assert.deepEqual(names(await env.collect(3)), range('after-errors', 3));
    assert.ok(
      (await metricValue(metrics, 'kube_wecom_forwarder_watch_restarts_total', {
        resource: 'events',
        reason: 'error',
      })) >= 3,
    );
  });

  it('resumes from the checkpoint after a restart: nothing replayed, nothing lost, even when the checkpoint expired', async () => {
    const first = env.forwarder();
    await first.forwarder.start();
    createMany('one', 4);
    assert.deepEqual(names(await env.collect(4)), range('one', 4));
    await first.forwarder.stop();

    // While no forwarder runs: new events and a repeat of an old one.
    createMany('down', 3);
    env.fake.repeatEvent('default', 'one.1');
    const second = env.forwarder();
    await second.forwarder.start();
    const resumed = await env.collect(4);
    assert.deepEqual(names(resumed), [...range('down', 3), 'one.1'].sort());
    await second.forwarder.stop();

    // Down again, and this time the API server compacts past the checkpoint: the relist must be deduplicated.
    createMany('expired', 3);
    env.fake.compact();
    const third = env.forwarder();
    await third.forwarder.start();
    assert.deepEqual(names(await env.collect(3)), range('expired', 3));
    assert.equal(
      await metricValue(third.metrics, 'kube_wecom_forwarder_watch_expired_total', { resource: 'events' }),
      1,
    );
  });

  it('reports a hand-edited checkpoint and falls back: no endless retry of its resourceVersion, no replay of old events', async () => {
    const hoursAgo = new Date(Date.now() - 2 * 3_600_000).toISOString();
    createMany('old', 3, { firstTimestamp: hoursAgo, lastTimestamp: hoursAgo });
    createMany('recent', 2);
    await env.kube.createConfigMap('kube-wecom', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'checkpoint', namespace: 'kube-wecom' },
      data: { resourceVersion: 'edited-by-hand', time: 'yesterday, roughly', delivered: '[]' },
    });
    const { forwarder, metrics } = env.forwarder();
    await forwarder.start();
    assert.deepEqual(names(await env.collect(2)), range('recent', 2));
    assert.equal(
      await metricValue(metrics, 'kube_wecom_forwarder_watch_restarts_total', {
        resource: 'events',
        reason: 'rejected',
      }),
      1,
    );
    const errors = env.logs.filter((line) => line.level >= 50).map((line) => line.msg);
    assert.ok(
      errors.some((msg) => msg.includes("checkpoint's time is not a past timestamp")),
      errors.join('\n'),
    );
    assert.ok(
      errors.some((msg) => msg.includes("refuses the checkpoint's resourceVersion")),
      errors.join('\n'),
    );
  });

  it('holds events while SQS is unreachable and delivers all of them when it is back', async () => {
    const { forwarder, metrics } = env.forwarder();
    await forwarder.start();
    await waitFor('readiness', () => forwarder.status().ready);
    await env.relay.down();
    createMany('outage', 25);
    await waitFor(
      'failed batches',
      async () =>
        (await metricValue(metrics, 'kube_wecom_forwarder_sqs_batches_total', { outcome: 'error' })) >= 2,
    );
    assert.equal(forwarder.status().ready, false, 'not ready while SQS is unreachable');
    const store = new ConfigMapCheckpointStore(env.kube, 'kube-wecom', 'checkpoint');
    const during = await store.load();
    const lastRv = Number(env.fake.store.get('events', 'default', 'outage.24')!.metadata.resourceVersion);
    assert.ok(
      !during || Number(during.resourceVersion) < lastRv,
      'the checkpoint does not pass unacknowledged events',
    );

    await env.relay.up();
    assert.deepEqual(names(await env.collect(25)), range('outage', 25));
    await waitFor(
      'the checkpoint to catch up',
      async () => (await store.load())?.resourceVersion === String(lastRv),
    );
    // Events still lingering in the buffer when SQS comes back are sent once, never retried; only those whose
    // batches failed during the outage count here, and how many those are depends on timing.
    assert.ok((await metricValue(metrics, 'kube_wecom_forwarder_sqs_retries_total')) >= 1);
  });

  it('drops the oldest Normal events first when the buffer overflows, and counts and logs the loss', async () => {
    const { forwarder, metrics } = env.forwarder({ bufferMaxEvents: 5 });
    await forwarder.start();
    await waitFor('readiness', () => forwarder.status().ready);
    await env.relay.down();
    createMany('warning', 5, { type: 'Warning', reason: 'BackOff' });
    createMany('normal', 10);
    await waitFor(
      'overflow',
      async () => (await metricValue(metrics, 'kube_wecom_forwarder_events_dropped_total')) >= 10,
    );
    await env.relay.up();
    assert.deepEqual(names(await env.collect(5)), range('warning', 5));
    assert.equal(
      await metricValue(metrics, 'kube_wecom_forwarder_events_dropped_total', {
        reason: 'overflow',
        type: 'Normal',
      }),
      10,
    );
    assert.equal(
      await metricValue(metrics, 'kube_wecom_forwarder_events_dropped_total', { type: 'Warning' }),
      0,
    );
    const logged = env.logs.filter((l) => /buffer full/.test(l.msg));
    // The first loss is logged at once; later ones are summed into at most one line a minute.
    assert.equal(logged.length, 1, 'logged once, not once per event');
    assert.equal(logged[0]!.level, 50);
  });

  it('bounds the buffer by bytes: large Normal events make room and are counted, Warnings are kept', async () => {
    const { forwarder, metrics } = env.forwarder({ bufferMaxBytes: 256 * 1024 });
    await forwarder.start();
    await waitFor('readiness', () => forwarder.status().ready);
    await env.relay.down();
    const large = 'x'.repeat(60_000);
    createMany('warning', 3, { type: 'Warning', reason: 'BackOff', message: large });
    createMany('normal', 4, { message: large });
    await waitFor(
      'overflow',
      async () => (await metricValue(metrics, 'kube_wecom_forwarder_events_dropped_total')) >= 3,
    );
    // Three Warnings and one Normal of ~60 KB fit in 256 KiB; the three older Normals made room.
    assert.ok((await metricValue(metrics, 'kube_wecom_forwarder_buffer_bytes')) <= 256 * 1024);
    await env.relay.up();
    assert.deepEqual(names(await env.collect(4)), [...range('warning', 3), 'normal.3'].sort());
    assert.equal(
      await metricValue(metrics, 'kube_wecom_forwarder_events_dropped_total', {
        reason: 'overflow',
        type: 'Normal',
      }),
      3,
    );
  });

  it('sends what is buffered and writes the checkpoint when stopped (the SIGTERM path)', async () => {
    // A linger far longer than the test: only the stop can make these go out.
    const { forwarder, metrics } = env.forwarder({ lingerMs: 60_000 });
    await forwarder.start();
    await waitFor('readiness', () => forwarder.status().ready);
    createMany('linger', 3);
    // Buffered means received and waiting: without the first condition an empty queue would prove nothing.
    await waitFor(
      'the forwarder to buffer all three',
      async () => (await metricValue(metrics, 'kube_wecom_forwarder_buffer_events')) === 3,
    );
    assert.equal(await metricValue(metrics, 'kube_wecom_forwarder_events_forwarded_total'), 0);
    assert.deepEqual(await env.drain(), [], 'still buffered');
    await forwarder.stop();
    assert.deepEqual(names(await env.drain()), range('linger', 3));
    const checkpoint = await new ConfigMapCheckpointStore(env.kube, 'kube-wecom', 'checkpoint').load();
    assert.equal(
      checkpoint?.resourceVersion,
      env.fake.store.get('events', 'default', 'linger.2')!.metadata.resourceVersion,
    );
  });
});
