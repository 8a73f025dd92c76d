import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BundleInput } from '../../../functions/bundle/index.ts';
import { pileMessageBody } from '../../../functions/deferral/index.ts';
import { anEnvelope } from '../../helpers/builders.ts';
import { account, attributesOf, startRig } from './rig.ts';
import type { FunctionRig } from './rig.ts';

const ROBOTS = { WECOM_PAY: 'key-pay-9e9e-removed', WECOM_ORDERS: 'key-orders-7c7c-alive' };

const bundle: BundleInput = {
  version: 1,
  receivers: { pay: { webhook: 'env:WECOM_PAY' }, orders: { webhook: 'env:WECOM_ORDERS' } },
  routes: [
    { name: 'pay', match: { namespaces: ['payments'] }, receivers: ['pay'] },
    { name: 'orders', match: { namespaces: ['orders'] }, receivers: ['orders'] },
  ],
};

const event = (namespace: string, name: string) => ({
  name,
  body: JSON.stringify(anEnvelope({ namespace, name })),
});
const offered = [
  event('payments', 'pay-api-00001'),
  event('payments', 'pay-api-00002'),
  event('orders', 'orders-web-00001'),
  event('orders', 'orders-web-00002'),
];
const POISON = [
  { name: 'poison-not-json', body: '{"v":1,"event":', reason: /^poison message: \$: body is not valid JSON/ },
  {
    name: 'poison-v2',
    body: JSON.stringify({ ...anEnvelope(), v: 2 }),
    reason: /^poison message: \$\.v: unknown envelope version 2/,
  },
  {
    name: 'poison-no-event',
    body: JSON.stringify({ ...anEnvelope(), event: undefined }),
    reason: /^poison message: \$\.event: no event/,
  },
];

let rig: FunctionRig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

describe('dead letters', () => {
  it('sends a removed robot’s messages and poison messages straight to the DLQ with the reason, and nothing else', async () => {
    rig = await startRig({ bundle, robots: ROBOTS, directDlq: true });
    rig.wecom.inject({ kind: 'revoke', key: ROBOTS.WECOM_PAY });
    const ids = await rig.send([...offered, ...POISON].map((m) => m.body));
    const idOf = new Map([...offered, ...POISON].map((m, i) => [m.name, ids[i]!]));
    const before = Date.now();
    await rig.start();
    await rig.drain();

    assert.equal(rig.invocations.length, 1, 'nothing is redelivered');
    assert.deepEqual(rig.invocations[0]!.outcome.failed, []);
    const letters = new Map(
      (await rig.deadLetters()).map((m) => [attributesOf(m)['kube-wecom-source-message-id'], m]),
    );
    assert.deepEqual(
      [...letters.keys()].sort(),
      ['pay-api-00001', 'pay-api-00002', ...POISON.map((p) => p.name)].map((n) => idOf.get(n)).sort(),
    );
    for (const name of ['pay-api-00001', 'pay-api-00002']) {
      const letter = letters.get(idOf.get(name))!;
      const attributes = attributesOf(letter);
      assert.equal(attributes['kube-wecom-errcode'], '93000');
      assert.match(attributes['kube-wecom-reason']!, /93000/);
      assert.doesNotMatch(attributes['kube-wecom-reason']!, new RegExp(ROBOTS.WECOM_PAY));
      assert.ok(Date.parse(attributes['kube-wecom-failed-at']!) >= before - 1000);
      assert.equal(letter.Body, offered.find((o) => o.name === name)!.body, 'the original body is kept');
    }
    for (const poison of POISON) {
      const attributes = attributesOf(letters.get(idOf.get(poison.name))!);
      assert.match(attributes['kube-wecom-reason']!, poison.reason);
      assert.equal(attributes['kube-wecom-errcode'], undefined, 'poison has no WeCom errcode');
    }

    const where = account(offered, rig.delivered('WECOM_ORDERS'), [...letters.values()]);
    assert.deepEqual(where, {
      delivered: ['orders-web-00001', 'orders-web-00002'],
      deadLettered: ['pay-api-00001', 'pay-api-00002'],
      elsewhere: [],
      both: [],
    });
    const logged = rig.logs.filter((line) => line.message === 'dead-lettering a queue message');
    assert.deepEqual(
      logged.filter((line) => line.fields.errcode === 93000).map((line) => line.fields.messageId),
      ['pay-api-00001', 'pay-api-00002'].map((n) => idOf.get(n)),
    );
  });

  it('without KUBE_WECOM_DLQ_URL, leaves them to the redrive policy, which moves them after maxReceiveCount', async () => {
    rig = await startRig({ bundle, robots: ROBOTS, directDlq: false, maxReceiveCount: 2 });
    rig.wecom.inject({ kind: 'revoke', key: ROBOTS.WECOM_PAY });
    const doomed = [offered[0]!, offered[1]!, POISON[0]!];
    const ids = await rig.send([...offered, POISON[0]!].map((m) => m.body));
    const idOf = new Map([...offered, POISON[0]!].map((m, i) => [m.name, ids[i]!]));
    const doomedIds = doomed.map((m) => idOf.get(m.name)!).sort();
    await rig.start();
    await rig.drain();

    // SQS may hand the second receives back over more than one poll (their visibility ends a few milliseconds
    // apart), so this counts receives per message, not invocations.
    const [first, ...later] = rig.invocations;
    assert.deepEqual([...first!.outcome.failed].sort(), doomedIds);
    const receives = later.flatMap((i) => i.records.map((r) => [r.messageId, r.receiveCount]));
    assert.deepEqual(
      receives.sort(),
      doomedIds.map((id) => [id, 2]),
      'received maxReceiveCount times, then moved by SQS',
    );
    assert.deepEqual(later.flatMap((i) => [...i.outcome.failed]).sort(), doomedIds);

    const letters = await rig.deadLetters();
    assert.deepEqual(letters.map((m) => m.Body).sort(), doomed.map((m) => m.body).sort());
    for (const letter of letters) assert.deepEqual(attributesOf(letter), {}, 'SQS moves the body only');
    const where = account(offered, rig.delivered('WECOM_ORDERS'), letters);
    assert.deepEqual(where.deadLettered, ['pay-api-00001', 'pay-api-00002']);
    assert.deepEqual(where.delivered, ['orders-web-00001', 'orders-web-00002']);
    assert.deepEqual(where.elsewhere, []);
    assert.equal(rig.delivered('WECOM_ORDERS').length, 2, 'the healthy robot’s messages went out once');

    // The reason lives in the log, once per receive, with the message id to find it by.
    const logged = rig.logs.filter((line) => line.message === 'dead-lettering a queue message');
    assert.equal(logged.length, 2 * doomed.length);
    const poisonLog = logged.find((line) => line.fields.messageId === idOf.get(POISON[0]!.name))!;
    assert.match(String(poisonLog.fields.reason), POISON[0]!.reason);
    assert.ok(logged.some((line) => line.fields.errcode === 93000));
  });

  it('sends a redriven pile of parked events as one summary, and dead-letters one for a receiver the bundle lacks', async () => {
    rig = await startRig({ bundle, robots: ROBOTS, directDlq: true });
    const pile = (receiver: string) =>
      pileMessageBody({
        receiver,
        pile: {
          tally: {
            total: 7,
            warnings: 7,
            clusters: ['prod'],
            byReason: { BackOff: 7 },
            byNamespace: { orders: 7 },
          },
          mentions: { users: [], mobiles: [], all: false },
          parkings: ['parking-from-the-dlq'],
          since: Date.now() - 600_000,
          failures: 2,
        },
      });
    const [, goneId] = await rig.send([pile('orders'), pile('retired')]);
    await rig.start();
    await rig.drain();

    const sent = rig.delivered('WECOM_ORDERS');
    assert.equal(sent.length, 1);
    assert.match(JSON.stringify(sent[0]!.payload), /\+7 more events/);
    const letters = await rig.deadLetters();
    assert.deepEqual(
      letters.map((m) => [
        attributesOf(m)['kube-wecom-source-message-id'],
        attributesOf(m)['kube-wecom-reason'],
      ]),
      [[goneId, '7 parked events for retired, which the bundle no longer has']],
    );
  });
});
