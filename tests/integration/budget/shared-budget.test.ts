import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  ROBOT_POLICIES,
  robotIdOf,
  type BudgetLedger,
  type RobotId,
} from '../../../functions/budget/index.ts';
import { aLedger, startStateTable, type StateTable } from '../../helpers/budget.ts';

// The shared budget against a real DynamoDB-protocol server (dynalite) through the real SDK client. Each "container"
// is a ledger with its own client and cache, as separate Lambda containers have.

const MINUTE = 60_000;
const policy = ROBOT_POLICIES.wecom;
let table: StateTable;
let robots = 0;
/** A robot nobody else in this file uses. */
const aRobot = () => robotIdOf(`shared-budget-test-${robots++}`);
const containers = (count: number, options: { marginMs?: number } = {}) =>
  Array.from({ length: count }, () => aLedger(table.store(), options).ledger);

/** Fails unless every `windowMs` window holds at most `limit` of `times`. */
function assertSlidingWindow(times: number[], limit: number, windowMs: number) {
  const sorted = [...times].sort((a, b) => a - b);
  for (let i = limit; i < sorted.length; i++) {
    assert.ok(
      sorted[i]! - sorted[i - limit]! >= windowMs,
      `${limit + 1} sends within ${sorted[i]! - sorted[i - limit]!} ms (sends ${i - limit}..${i})`,
    );
  }
}

before(async () => {
  table = await startStateTable();
});
after(() => table.close());

describe('shared budget on dynalite', () => {
  it('grants exactly 20 of 50 concurrent reservations in one container', async () => {
    const robot = aRobot();
    const [ledger] = containers(1);
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => ledger!.reserve({ robot, policy, wanted: 1, now: 0, maxWaitMs: 0 })),
    );
    assert.equal(answers.flatMap((a) => a.slots).length, 20);
    assert.ok(answers.every((a) => a.source === 'table'));
  });

  it('grants exactly 20 of 50 concurrent reservations spread over 5 containers, never one more', async () => {
    const robot = aRobot();
    const fleet = containers(5);
    const reserve = (ledger: BudgetLedger) =>
      ledger.reserve({ robot, policy, wanted: 1, now: 0, maxWaitMs: 0 });
    const answers = await Promise.all(
      fleet.flatMap((ledger) => Array.from({ length: 10 }, () => reserve(ledger))),
    );
    const granted = answers.flatMap((a) => a.slots).length;
    assert.ok(granted <= 20, `${granted} granted`);
    // A container that lost its last attempts got nothing this time; asking again must top up to exactly 20.
    const topUp = await Promise.all(fleet.map(reserve));
    assert.equal(granted + topUp.flatMap((a) => a.slots).length, 20);
    const fresh = containers(1)[0]!;
    assert.deepEqual((await reserve(fresh)).slots, []);
  });

  it('never puts more than 20 sends in any 60 s window across containers whose clocks disagree by ±1.5 s', async () => {
    const robot = aRobot();
    const skews = [-1_500, -700, 0, 800, 1_500];
    // The margin must cover the whole spread between the fastest and the slowest clock: 3 s here.
    const fleet = containers(skews.length, { marginMs: 3_000 });
    const sends: number[] = [];
    // Simulated time: every container asks for 1 to 3 slots every 2 s for 6 minutes, all at once; a slot is sent
    // at its time on the granting container's clock, which is `skew` ahead of the true time.
    for (let t = 0; t < 6 * MINUTE; t += 2_000) {
      const answers = await Promise.all(
        fleet.map((ledger, i) =>
          ledger.reserve({
            robot,
            policy,
            wanted: 1 + ((t / 2_000 + i) % 3),
            now: t + skews[i]!,
            maxWaitMs: 5_000,
          }),
        ),
      );
      answers.forEach((answer, i) => {
        assert.equal(answer.source, 'table');
        sends.push(...answer.slots.map((slot) => slot - skews[i]!));
      });
    }
    assertSlidingWindow(sends, 20, MINUTE);
    assert.ok(sends.length >= 5 * 20, `the robot was kept busy: ${sends.length} sends in 6 minutes`);
  });

  it('catches a margin smaller than the clocks disagree, so the check above has teeth', async () => {
    const robot = aRobot();
    const [fast, slow] = containers(2, { marginMs: 0 });
    const at = (ledger: BudgetLedger, now: number, wanted: number) =>
      ledger.reserve({ robot, policy, wanted, now, maxWaitMs: 0 });
    // The slow clock (1.5 s behind) fills the window at true time 100 s; 57 s later the fast one (1.5 s ahead)
    // reads 158.5 s, which is when the slow clock's first send, stamped 98.5 s, is a window old.
    const first = await at(slow!, 98_500, 20);
    const next = await at(fast!, 158_500, 1);
    const sends = [...first.slots.map((slot) => slot + 1_500), ...next.slots.map((slot) => slot - 1_500)];
    assert.throws(() => assertSlidingWindow(sends, 20, MINUTE), /21 sends within 57000 ms/);
  });

  it('holds a blocked robot in every container until the block ends, and never lowers the block', async () => {
    const robot = aRobot();
    const [blocker, other] = containers(2);
    await blocker!.block({ robot, until: 90_000 });
    await blocker!.block({ robot, until: 70_000 });
    const during = await other!.reserve({ robot, policy, wanted: 1, now: 10_000, maxWaitMs: 0 });
    assert.deepEqual(during, { slots: [], nextFreeAt: 90_000, source: 'table' });
    const afterwards = await other!.reserve({ robot, policy, wanted: 2, now: 90_000, maxWaitMs: 0 });
    assert.deepEqual(afterwards.slots, [90_000, 90_000]);
  });

  it('holds a block raised after a container last saw the robot', async () => {
    const robot: RobotId = aRobot();
    const [sender, blocker] = containers(2);
    await sender!.reserve({ robot, policy, wanted: 1, now: 0, maxWaitMs: 0 });
    await blocker!.block({ robot, until: 60_000 });
    const stale = await sender!.reserve({ robot, policy, wanted: 1, now: 1_000, maxWaitMs: 0 });
    assert.deepEqual(stale.slots, []);
    assert.equal(stale.nextFreeAt, 60_000);
  });

  it('notifies once per key among concurrent containers, and not again on redelivery', async () => {
    const fleet = containers(4);
    const claim = (ledger: BudgetLedger) =>
      ledger.claimOnce({ key: 'uid-1/ops/29000', ttlSeconds: 3_600, now: 0 });
    const first = await Promise.all(fleet.flatMap((ledger) => [claim(ledger), claim(ledger), claim(ledger)]));
    assert.equal(first.filter(Boolean).length, 1);
    assert.deepEqual(await Promise.all(fleet.map(claim)), [false, false, false, false]);
    const stats = fleet.map((ledger) => ledger.stats().claims);
    assert.equal(
      stats.reduce((sum, s) => sum + s.fallbacks, 0),
      0,
    );
  });
});
