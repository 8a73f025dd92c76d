import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { microTime } from '../../../forwarder/kube/index.ts';
import { metricValue, names, startTestEnv } from './env.ts';
import { waitFor } from '../../helpers/wait-for.ts';
import type { TestEnv } from './env.ts';

const election = (identity: string) => ({
  leaderElection: {
    namespace: 'kube-wecom',
    name: 'forwarder',
    identity,
    leaseDurationMs: 1500,
    renewDeadlineMs: 1000,
    retryPeriodMs: 100,
  },
});

describe('forwarder: leader election', () => {
  let env: TestEnv;
  beforeEach(async () => {
    env = await startTestEnv();
  });
  afterEach(() => env.close());

  it('forwards from one of two replicas only, and the standby takes over from the checkpoint when the leader stops', async () => {
    const a = env.forwarder(election('replica-a'));
    const b = env.forwarder(election('replica-b'));
    await Promise.all([a.forwarder.start(), b.forwarder.start()]);
    const leaders = async () =>
      (await metricValue(a.metrics, 'kube_wecom_forwarder_leader')) +
      (await metricValue(b.metrics, 'kube_wecom_forwarder_leader'));
    await waitFor('one leader', async () => (await leaders()) === 1);
    const [leader, standby] =
      (await metricValue(a.metrics, 'kube_wecom_forwarder_leader')) === 1 ? [a, b] : [b, a];
    assert.deepEqual(standby.forwarder.status(), { ready: true, role: 'standby' });
    await waitFor('the leader to be ready', () => leader.forwarder.status().ready);

    for (let i = 0; i < 10; i++) env.fake.createEvent({ namespace: 'default', name: `first.${i}` });
    assert.equal((await env.collect(10)).length, 10, 'each event exactly once');
    assert.equal(await metricValue(standby.metrics, 'kube_wecom_forwarder_events_forwarded_total'), 0);

    await leader.forwarder.stop();
    await waitFor(
      'the standby to take over',
      () => standby.forwarder.status().role === 'leader' && standby.forwarder.status().ready,
    );
    for (let i = 0; i < 5; i++) env.fake.createEvent({ namespace: 'default', name: `second.${i}` });
    assert.deepEqual(names(await env.collect(5)), [
      'second.0',
      'second.1',
      'second.2',
      'second.3',
      'second.4',
    ]);
  });

  it('takes over an abandoned lease only after it expires', async () => {
    const now = microTime(Date.now());
    await env.kube.createLease('kube-wecom', {
      metadata: { name: 'forwarder' },
      spec: { holderIdentity: 'crashed-replica', leaseDurationSeconds: 2, renewTime: now, acquireTime: now },
    });
    const { forwarder, metrics } = env.forwarder(election('replica-c'));
    await forwarder.start();
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(
      await metricValue(metrics, 'kube_wecom_forwarder_leader'),
      0,
      'still held by the crashed replica',
    );
    await waitFor(
      'takeover after expiry',
      async () => (await metricValue(metrics, 'kube_wecom_forwarder_leader')) === 1,
    );
    const lease = await env.kube.readLease('kube-wecom', 'forwarder');
    assert.equal(lease?.spec?.holderIdentity, 'replica-c');
    assert.equal(lease?.spec?.leaseTransitions, 1);
  });
});
