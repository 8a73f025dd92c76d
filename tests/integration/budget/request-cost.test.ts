import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ROBOT_POLICIES, robotIdOf, type BudgetLedger } from '../../../functions/budget/index.ts';
import { aLedger, startStateTable, type StateTable } from '../../helpers/budget.ts';

// What the shared budget costs in DynamoDB requests, measured on dynalite and printed as test diagnostics
// (docs/deploy.md §8 quotes them). dynalite leaves the item out of a failed condition, so each lost race costs it a
// second request that DynamoDB does not need; the DynamoDB figure subtracts those.

const policy = ROBOT_POLICIES.wecom;
let table: StateTable;
before(async () => {
  table = await startStateTable();
});
after(() => table.close());

/**
 * `containers` ledgers each reserve 1 to 3 slots for one robot every 2 s of simulated time for 5 minutes, all at
 * once, as that many concurrent invocations with a storm to send would.
 */
async function storm(name: string, containers: number) {
  const robot = robotIdOf(`request-cost-${name}`);
  const fleet: BudgetLedger[] = Array.from({ length: containers }, () => aLedger(table.store()).ledger);
  let reservations = 0;
  let granting = 0;
  for (let t = 0; t < 5 * 60_000; t += 2_000) {
    const answers = await Promise.all(
      fleet.map((ledger, i) =>
        ledger.reserve({ robot, policy, wanted: 1 + ((t / 2_000 + i) % 3), now: t, maxWaitMs: 0 }),
      ),
    );
    reservations += answers.length;
    granting += answers.filter((a) => a.slots.length > 0).length;
  }
  const stats = fleet.map((ledger) => ledger.stats().robots[robot]!);
  const sum = (counter: 'granted' | 'requests' | 'conflicts') => stats.reduce((n, s) => n + s[counter], 0);
  const total = { granted: sum('granted'), requests: sum('requests'), conflicts: sum('conflicts') };
  const onDynamo = total.requests - total.conflicts;
  return {
    reservations,
    granting,
    granted: total.granted,
    requestsOnDynamo: onDynamo,
    conflicts: total.conflicts,
    perReservation: onDynamo / reservations,
    perMessage: onDynamo / total.granted,
    perMessageOnDynalite: total.requests / total.granted,
  };
}

describe('DynamoDB requests per reservation', () => {
  it('costs one request per message sent without contention, and none for a robot known to be full', async (t) => {
    const cost = await storm('alone', 1);
    t.diagnostic(`no contention: ${JSON.stringify(cost)}`);
    assert.equal(cost.conflicts, 0);
    assert.equal(
      cost.requestsOnDynamo,
      cost.granting,
      'one write per reservation that got slots, none otherwise',
    );
    assert.ok(cost.perMessage <= 1);
  });

  it('stays within a few requests per message when 5 containers reserve at once', async (t) => {
    const cost = await storm('five-way', 5);
    t.diagnostic(`5-way contention: ${JSON.stringify(cost)}`);
    assert.ok(cost.granted >= 5 * 20 - 20, `the robot was kept busy: ${cost.granted}`);
    assert.ok(cost.perMessage <= 6, `${cost.perMessage} requests per message`);
  });
});
