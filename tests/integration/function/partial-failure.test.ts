import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BundleInput } from '../../../functions/bundle/index.ts';
import { createManualClock } from '../../../emulators/wecom/index.ts';
import { anEnvelope } from '../../helpers/builders.ts';
import { account, attributesOf, startRig, total } from './rig.ts';
import type { FunctionRig } from './rig.ts';

const TEAMS = ['pay', 'orders', 'data', 'search'] as const;
const ROBOTS = Object.fromEntries(
  TEAMS.map((team) => [`WECOM_${team.toUpperCase()}`, `key-${team}-5a5a-0101`]),
);
const KEY = (team: (typeof TEAMS)[number]) => ROBOTS[`WECOM_${team.toUpperCase()}`]!;
// Explicit, so the faults below outlast exactly one invocation's attempts.
const MAX_ATTEMPTS = 5;

const bundle: BundleInput = {
  version: 1,
  receivers: Object.fromEntries(TEAMS.map((team) => [team, { webhook: `env:WECOM_${team.toUpperCase()}` }])),
  routes: TEAMS.map((team) => ({ name: team, match: { namespaces: [team] }, receivers: [team] })),
};

let rig: FunctionRig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

describe('a batch where some deliveries fail', () => {
  it('lets exactly the transiently failed events wait for their robot, dead-letters the permanent ones and deletes every record', async () => {
    // The handler, the WeCom client and the emulator share a manual clock, and a copy's wait (15 s after a
    // failure, or until the robot's next free slot: retries use slots too) passes on it at once.
    const clock = createManualClock();
    rig = await startRig({
      bundle,
      robots: ROBOTS,
      directDlq: true,
      clock: clock.now,
      emulator: { clock: clock.now },
      wecom: { maxAttempts: MAX_ATTEMPTS, sleep: clock.sleep },
      passDelay: clock.advance,
    });
    const offered = TEAMS.flatMap((team) =>
      [1, 2].map((i) => {
        const name = `${team}-web-0000${i}`;
        return { team, name, body: JSON.stringify(anEnvelope({ namespace: team, name })) };
      }),
    );
    // pay's robot was removed (93000, permanent); orders' is busy (-1) for every attempt of this invocation;
    // data's gateway answers 502 twice, which the client retries within the invocation.
    rig.wecom.inject({ kind: 'revoke', key: KEY('pay') });
    rig.wecom.inject({ kind: 'errcode', errcode: -1, key: KEY('orders'), times: 2 * MAX_ATTEMPTS });
    rig.wecom.inject({ kind: 'http-status', status: 502, key: KEY('data'), times: 2 });

    const ids = await rig.send(offered.map((event) => event.body));
    const idsOf = (team: string) => ids.filter((_, i) => offered[i]!.team === team).sort();
    await rig.start();
    await rig.drain();

    const [first, ...later] = rig.invocations;
    assert.deepEqual([...first!.outcome.messageIds].sort(), [...ids].sort(), 'all eight in one batch');
    assert.deepEqual(
      first!.outcome.failed,
      [],
      'nothing is left to SQS: waiting is a copy, not a redelivery',
    );
    assert.deepEqual([...first!.outcome.deleted].sort(), [...ids].sort());
    // What came back is a copy owed to orders alone, received once, counting the failure.
    const copies = later.flatMap((invocation) => invocation.records);
    assert.ok(copies.length > 0);
    for (const copy of copies) {
      const envelope = JSON.parse(copy.body) as {
        owed?: string[];
        failures?: number;
        event: { involvedObject: { namespace: string } };
      };
      assert.deepEqual(envelope.owed, ['orders']);
      assert.equal(envelope.failures, 1);
      assert.equal(envelope.event.involvedObject.namespace, 'orders');
      assert.equal(copy.receiveCount, 1);
    }

    const deadLetters = await rig.deadLetters();
    assert.deepEqual(
      deadLetters.map((m) => attributesOf(m)['kube-wecom-source-message-id']).sort(),
      idsOf('pay'),
    );
    for (const letter of deadLetters) assert.equal(attributesOf(letter)['kube-wecom-errcode'], '93000');

    const delivered = TEAMS.flatMap((team) => rig!.delivered(`WECOM_${team.toUpperCase()}`));
    const where = account(offered, delivered, deadLetters);
    assert.deepEqual(where.both, []);
    assert.deepEqual(where.deadLettered, ['pay-web-00001', 'pay-web-00002']);
    // Both orders events reached their robot once it answered: listed, or counted in a summary (which names no
    // event, so `account` finds them nowhere else).
    assert.ok(
      where.elsewhere.every((name) => name.startsWith('orders-')),
      where.elsewhere.join(),
    );
    const orders = rig.delivered('WECOM_ORDERS').map((m) => String(m.payload.content));
    const covered = orders.reduce(
      (n, content) =>
        n +
        (content.match(/orders-web-0000\d/g) ?? []).length +
        Number(/\+(\d+) more event/.exec(content)?.[1] ?? 0),
      0,
    );
    assert.equal(covered, 2, orders.join('\n---\n'));
    assert.equal(rig.delivered('WECOM_DATA').length, 2);
    assert.equal(rig.wecom.requests(KEY('pay')).length, 2, 'a permanent error is not retried');
    assert.equal(rig.wecom.requests(KEY('data')).length, 4);
    assert.deepEqual(rig.stats[0]!.failuresByErrcode['93000'], 2);
    assert.equal(
      total(rig.stats, (s) => s.deadLetters),
      2,
    );
  });
});
