import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MemoryBudgetStore, robotIdOf, type BudgetStore } from '../../../functions/budget/index.ts';
import { startStateTable, type StateTable } from '../../helpers/budget.ts';

// The memory store stands in for the table in `preview`, `report` and unit tests, so both must answer the same
// compare-and-set calls the same way.

let table: StateTable;
before(async () => {
  table = await startStateTable();
});
after(() => table.close());

const stores: [string, () => BudgetStore][] = [
  ['MemoryBudgetStore', () => new MemoryBudgetStore()],
  ['DynamoBudgetStore on dynalite', () => table.store()],
];
let robots = 0;
const aRobot = () => robotIdOf(`store-contract-${robots++}`);
const appendOne = (n: number, time: number, blockedUntil = 0) => ({
  expected: { n, blockedUntil },
  writes: [{ index: n % 20, time }],
  expiresAt: 2_000_000_000,
});

for (const [name, create] of stores) {
  describe(name, () => {
    it('appends to a robot nobody reserved on, and refuses a second append from the same stale count', async () => {
      const store = create();
      const robot = aRobot();
      const first = await store.append(robot, appendOne(0, 1_000));
      assert.deepEqual(first, {
        applied: true,
        state: { n: 1, ring: [1_000], blockedUntil: 0 },
        requests: 1,
      });
      const stale = await store.append(robot, appendOne(0, 2_000));
      assert.equal(stale.applied, false);
      assert.deepEqual(stale.state, first.state);
    });

    it('refuses an append planned before a block was raised, and hands back the block', async () => {
      const store = create();
      const robot = aRobot();
      await store.append(robot, appendOne(0, 1_000));
      await store.raiseBlock(robot, 60_000, 2_000_000_000);
      await store.raiseBlock(robot, 30_000, 2_000_000_000);
      const stale = await store.append(robot, appendOne(1, 2_000));
      assert.equal(stale.applied, false);
      assert.equal(stale.state.blockedUntil, 60_000);
      assert.equal((await store.append(robot, appendOne(1, 60_000, 60_000))).applied, true);
    });

    it('appends to a robot that so far was only blocked', async () => {
      const store = create();
      const robot = aRobot();
      await store.raiseBlock(robot, 5_000, 2_000_000_000);
      const outcome = await store.append(robot, appendOne(0, 5_000, 5_000));
      assert.deepEqual(outcome.state, { n: 1, ring: [5_000], blockedUntil: 5_000 });
    });

    it('claims a key once', async () => {
      const store = create();
      const claims = await Promise.all([1, 2, 3].map(() => store.claim(`contract-${name}`, 2_000_000_000)));
      assert.deepEqual(claims.sort(), [false, false, true]);
    });
  });
}
