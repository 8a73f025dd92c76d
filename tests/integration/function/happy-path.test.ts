import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BundleInput } from '../../../functions/bundle/index.ts';
import { anEnvelope } from '../../helpers/builders.ts';
import { account, contentOf, startRig, total } from './rig.ts';
import type { FunctionRig } from './rig.ts';

const ROBOTS = { WECOM_PAY: 'key-pay-0000-1111-aaaa', WECOM_ORDERS: 'key-orders-2222-3333-bbbb' };

const bundle: BundleInput = {
  version: 1,
  receivers: {
    pay: { webhook: 'env:WECOM_PAY', mentions: { fromNamespaceAnnotation: 'kube-wecom/owners' } },
    orders: { webhook: 'env:WECOM_ORDERS' },
  },
  routes: [
    { name: 'pay', match: { namespaces: ['payments'], types: ['Warning'] }, receivers: ['pay'] },
    {
      name: 'orders',
      match: { namespaces: ['orders'], types: ['Warning'] },
      receivers: ['orders'],
      group: { by: ['namespace', 'reason'] },
    },
  ],
  silences: [
    { match: { reasons: ['Maintenance'] }, endsAt: '2099-01-01T00:00:00Z', comment: 'planned work' },
  ],
};

let rig: FunctionRig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

describe('the function, end to end over SQS', () => {
  it('turns queued events into WeCom messages, empties the queue and accounts for every event', async () => {
    rig = await startRig({ bundle, robots: ROBOTS, directDlq: true });
    const offered = [
      {
        name: 'pay-api-00001',
        spec: {
          namespace: 'payments',
          reason: 'OOMKilling',
          annotations: { 'kube-wecom/owners': 'wangqing' },
        },
      },
      { name: 'orders-web-00001', spec: { namespace: 'orders', reason: 'BackOff' } },
      { name: 'orders-web-00002', spec: { namespace: 'orders', reason: 'BackOff' } },
      { name: 'orders-web-00003', spec: { namespace: 'orders', reason: 'BackOff' } },
      // Suppressed: no route takes Normal events, and a silence covers Maintenance.
      { name: 'pay-api-00002', spec: { namespace: 'payments', type: 'Normal', reason: 'Pulled' } },
      { name: 'orders-web-00004', spec: { namespace: 'orders', reason: 'Maintenance' } },
    ].map(({ name, spec }) => ({ name, body: JSON.stringify(anEnvelope({ ...spec, name })) }));

    await rig.send(offered.map((event) => event.body));
    await rig.start();
    await rig.drain();

    const pay = rig.delivered('WECOM_PAY');
    assert.equal(pay.length, 1);
    assert.equal(pay[0]!.msgtype, 'markdown');
    assert.match(contentOf(pay[0]!), /\*\*OOMKilling\*\*/);
    assert.match(contentOf(pay[0]!), /payments\/pay-api-00001/);
    assert.match(contentOf(pay[0]!), /<@wangqing>/);
    const orders = rig.delivered('WECOM_ORDERS');
    assert.equal(orders.length, 1, 'the three BackOffs in orders share one digest');
    assert.match(contentOf(orders[0]!), /3 events/);
    assert.match(contentOf(orders[0]!), /namespace=orders · reason=BackOff/);

    const deadLetters = await rig.deadLetters();
    assert.deepEqual(deadLetters, []);
    const where = account(offered, [...pay, ...orders], deadLetters);
    assert.deepEqual(where.both, []);
    assert.deepEqual(where.delivered, [
      'pay-api-00001',
      'orders-web-00001',
      'orders-web-00002',
      'orders-web-00003',
    ]);
    assert.deepEqual(where.elsewhere, ['pay-api-00002', 'orders-web-00004']);
    assert.equal(
      total(rig.stats, (s) => s.suppressed['no-route'] ?? 0),
      1,
    );
    assert.equal(
      total(rig.stats, (s) => s.suppressed.silence ?? 0),
      1,
    );
    assert.equal(
      total(rig.stats, (s) => s.events),
      offered.length,
    );
    assert.equal(
      total(rig.stats, (s) => s.sent),
      2,
    );
    assert.ok(rig.invocations.every((invocation) => invocation.outcome.failed.length === 0));
    assert.ok(rig.logs.every((line) => line.level !== 'mapping-error'));
  });

  it('collapses updates of one event in a batch into one notice with the latest count', async () => {
    rig = await startRig({ bundle, robots: ROBOTS, directDlq: true });
    const name = 'pay-api-00003';
    const updates = [1, 2, 3, 4].map((count) => ({
      name,
      body: JSON.stringify(
        anEnvelope({ name, namespace: 'payments', count, watchType: count === 1 ? 'ADDED' : 'MODIFIED' }),
      ),
    }));

    await rig.send(updates.map((update) => update.body));
    await rig.start();
    await rig.drain();

    const pay = rig.delivered('WECOM_PAY');
    assert.equal(pay.length, 1);
    assert.match(contentOf(pay[0]!), /×4/);
    assert.deepEqual(
      account(updates, pay, await rig.deadLetters()).delivered,
      updates.map(() => name),
    );
    assert.equal(
      total(rig.stats, (s) => s.events),
      4,
    );
    assert.equal(
      total(rig.stats, (s) => s.collapsed),
      1,
    );
  });
});
