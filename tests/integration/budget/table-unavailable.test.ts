import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DynamoBudgetStore, ROBOT_POLICIES, robotIdOf } from '../../../functions/budget/index.ts';
import { aBudgetClient, aLedger, startStateTable, type StateTable } from '../../helpers/budget.ts';
import { closedEndpoint, startSilentTable, startThrottlingProxy } from './faulty-table.ts';

// Fail safe: whatever is wrong with the table, a reservation answers from the per-process share within a bounded
// time (the client's two ~1 s attempts), counts and logs it, and a call a few seconds later tries the table again.

const policy = ROBOT_POLICIES.wecom;
const robot = robotIdOf('table-unavailable-test');
/** Generous: the bound is the client's timeouts (2 × 1 s plus a back-off), not this machine's speed. */
const BOUND_MS = 10_000;
let table: StateTable;
before(async () => {
  table = await startStateTable();
});
after(() => table.close());

/** Reserves 10 slots one call at a time on a ledger of 5 concurrent invocations, timing the whole run. */
async function reserveTen(store: DynamoBudgetStore) {
  const { ledger, logger } = aLedger(store, { concurrency: 5 });
  const started = Date.now();
  const answers = await Promise.all(
    Array.from({ length: 10 }, () =>
      ledger.reserve({ robot, policy, wanted: 1, now: Date.now(), maxWaitMs: 0 }),
    ),
  );
  return { ledger, logger, answers, elapsedMs: Date.now() - started };
}

function assertLocalShare(run: Awaited<ReturnType<typeof reserveTen>>, reason: RegExp) {
  assert.ok(run.elapsedMs < BOUND_MS, `answered in ${run.elapsedMs} ms`);
  assert.ok(run.answers.every((a) => a.source === 'local'));
  assert.equal(run.answers.flatMap((a) => a.slots).length, 4, '20 a minute shared by 5 invocations');
  assert.equal(run.ledger.stats().robots[robot]!.fallbacks, 10);
  assert.ok(run.logger.warnings.length >= 1);
  assert.match(String(run.logger.warnings[0]!.fields.reason), reason);
}

const storeAt = (endpoint: string) => new DynamoBudgetStore(aBudgetClient(endpoint), table.tableName);

describe('the state table unavailable', () => {
  it('answers from the per-process share when nothing listens at the endpoint', async () => {
    assertLocalShare(await reserveTen(storeAt(await closedEndpoint())), /ECONNREFUSED/);
  });

  it('answers from the per-process share when the table server has gone away', async () => {
    const gone = await startStateTable('kube-wecom-gone-state');
    const store = gone.store();
    await gone.close();
    assertLocalShare(await reserveTen(store), /ECONNREFUSED|socket hang up|ECONNRESET/);
  });

  it('answers from the per-process share within the client timeouts when the table never answers', async () => {
    const silent = await startSilentTable();
    try {
      assertLocalShare(await reserveTen(storeAt(silent.endpoint)), /timeout|Timeout|aborted/);
    } finally {
      await silent.close();
    }
  });

  it('answers from the per-process share while DynamoDB throttles, then uses the table again', async () => {
    let throttling = true;
    const proxy = await startThrottlingProxy(table.dynamo.endpoint, () => throttling);
    try {
      const store = storeAt(proxy.endpoint);
      const run = await reserveTen(store);
      assertLocalShare(run, /ThrottlingException/);
      throttling = false;
      // The first call once tableRetryMs (5 s) has passed since the failure asks the table again.
      const later = Date.now() + 5_000;
      const recovered = await run.ledger.reserve({ robot, policy, wanted: 1, now: later, maxWaitMs: 0 });
      assert.equal(recovered.source, 'table');
      assert.deepEqual(recovered.slots.length, 1);
    } finally {
      await proxy.close();
    }
  });

  it('rides out occasional throttling with the client retry, staying on the shared budget', async () => {
    const proxy = await startThrottlingProxy(table.dynamo.endpoint, (n) => n % 2 === 1);
    try {
      const { ledger } = aLedger(storeAt(proxy.endpoint));
      const throttledRobot = robotIdOf('occasionally-throttled');
      const answers = [];
      for (let i = 0; i < 5; i++) {
        answers.push(
          await ledger.reserve({ robot: throttledRobot, policy, wanted: 1, now: 0, maxWaitMs: 0 }),
        );
      }
      assert.ok(answers.every((a) => a.source === 'table' && a.slots.length === 1));
      assert.equal(ledger.stats().robots[throttledRobot]!.fallbacks, 0);
      assert.equal(proxy.requests(), 10, 'each reservation: one throttled attempt, one retry');
    } finally {
      await proxy.close();
    }
  });

  it('claims once per process when the table is unreachable, and says so', async () => {
    const { ledger, logger } = aLedger(storeAt(await closedEndpoint()));
    const claims = [];
    for (let i = 0; i < 3; i++)
      claims.push(await ledger.claimOnce({ key: 'uid-9/ops/1', ttlSeconds: 60, now: 0 }));
    assert.deepEqual(claims, [true, false, false]);
    assert.deepEqual(ledger.stats().claims, { claimed: 1, duplicates: 2, fallbacks: 3, requests: 1 });
    assert.equal(logger.warnings.length, 1);
  });
});
