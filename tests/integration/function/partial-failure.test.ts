import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BundleInput } from '../../../functions/bundle/index.ts';
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
  it('redelivers exactly the transiently failed messages, dead-letters the permanent ones and deletes the rest', async () => {
    rig = await startRig({ bundle, robots: ROBOTS, directDlq: true, wecom: { maxAttempts: MAX_ATTEMPTS } });
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

    const [first, second, ...more] = rig.invocations;
    assert.deepEqual(more, [], 'two invocations: the batch, then the redelivered messages');
    assert.deepEqual([...first!.outcome.messageIds].sort(), [...ids].sort(), 'all eight in one batch');
    assert.deepEqual([...first!.outcome.failed].sort(), idsOf('orders'));
    assert.deepEqual(
      [...first!.outcome.deleted].sort(),
      [...idsOf('pay'), ...idsOf('data'), ...idsOf('search')].sort(),
    );
    assert.deepEqual(
      second!.records.map((record) => [record.messageId, record.receiveCount]).sort(),
      idsOf('orders').map((id) => [id, 2]),
    );
    assert.deepEqual(second!.outcome.failed, []);

    const deadLetters = await rig.deadLetters();
    assert.deepEqual(
      deadLetters.map((m) => attributesOf(m)['kube-wecom-source-message-id']).sort(),
      idsOf('pay'),
    );
    for (const letter of deadLetters) assert.equal(attributesOf(letter)['kube-wecom-errcode'], '93000');

    const delivered = TEAMS.flatMap((team) => rig!.delivered(`WECOM_${team.toUpperCase()}`));
    const where = account(offered, delivered, deadLetters);
    assert.deepEqual(where.both, []);
    assert.deepEqual(where.elsewhere, []);
    assert.deepEqual(where.deadLettered, ['pay-web-00001', 'pay-web-00002']);
    assert.equal(rig.delivered('WECOM_ORDERS').length, 2, 'each orders event delivered once, on redelivery');
    assert.equal(rig.delivered('WECOM_DATA').length, 2);
    assert.equal(rig.wecom.requests(KEY('pay')).length, 2, 'a permanent error is not retried');
    assert.equal(rig.wecom.requests(KEY('data')).length, 4);
    assert.deepEqual(rig.stats[0]!.failuresByErrcode, { '-1': 2, '93000': 2 });
    assert.equal(rig.stats[0]!.retries, 2 * (MAX_ATTEMPTS - 1) + 2);
    assert.equal(
      total(rig.stats, (s) => s.deadLetters),
      2,
    );
  });
});
