import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  MemoryBudgetStore,
  ROBOT_POLICIES,
  robotIdOf,
  type BudgetStore,
} from '../../../functions/budget/index.ts';
import { aLedger } from '../../helpers/budget.ts';

const MINUTE = 60_000;
const robot = robotIdOf('https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=unit-test-key');
const policy = ROBOT_POLICIES.wecom;

/** A store whose every call fails as an unreachable table does, counting the calls. */
function unreachableStore() {
  const store = {
    calls: 0,
    fail: async (): Promise<never> => {
      store.calls++;
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { name: 'Error' });
    },
  };
  return Object.assign(store, { append: store.fail, raiseBlock: store.fail, claim: store.fail });
}

describe('robotIdOf', () => {
  it('names a robot by 16 hex characters of its hash, never by its key', () => {
    assert.match(robot, /^[0-9a-f]{16}$/);
    assert.notEqual(robotIdOf('another-key'), robot);
  });
});

describe('BudgetLedger', () => {
  it('grants exactly 20 of 50 concurrent reservations, and answers the other 30 without a request', async () => {
    const { ledger } = aLedger(new MemoryBudgetStore());
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => ledger.reserve({ robot, policy, wanted: 1, now: 0, maxWaitMs: 0 })),
    );
    assert.equal(answers.flatMap((a) => a.slots).length, 20);
    assert.ok(answers.every((a) => a.source === 'table'));
    assert.deepEqual(ledger.stats().robots[robot], {
      granted: 20,
      refused: 30,
      fallbacks: 0,
      requests: 20,
      conflicts: 0,
    });
  });

  it('plans again from the state another container wrote, and never grants the same slot twice', async () => {
    const store = new MemoryBudgetStore();
    const first = aLedger(store).ledger;
    const second = aLedger(store).ledger;
    await first.reserve({ robot, policy, wanted: 15, now: 0, maxWaitMs: 0 });
    const late = await second.reserve({ robot, policy, wanted: 10, now: 1_000, maxWaitMs: 0 });
    assert.deepEqual(
      late.slots,
      Array.from({ length: 5 }, () => 1_000),
    );
    assert.equal(late.nextFreeAt, MINUTE + 2_000);
    assert.equal(second.stats().robots[robot]!.conflicts, 1);
  });

  it('counts slots that aged out of the remembered ring, without asking the table when none has', async () => {
    const { ledger } = aLedger(new MemoryBudgetStore());
    await ledger.reserve({ robot, policy, wanted: 20, now: 0, maxWaitMs: 0 });
    const full = await ledger.reserve({ robot, policy, wanted: 1, now: 30_000, maxWaitMs: 0 });
    assert.deepEqual(full, { slots: [], nextFreeAt: MINUTE + 2_000, source: 'table' });
    assert.equal(ledger.stats().robots[robot]!.requests, 1);
    const later = await ledger.reserve({ robot, policy, wanted: 1, now: MINUTE + 2_000, maxWaitMs: 0 });
    assert.deepEqual(later.slots, [MINUTE + 2_000]);
  });

  it('holds every slot until a block ends, and never lowers a block', async () => {
    const store = new MemoryBudgetStore();
    const { ledger } = aLedger(store);
    await ledger.block({ robot, until: 90_000 });
    await ledger.block({ robot, until: 70_000 });
    const other = aLedger(store).ledger;
    const reservation = await other.reserve({ robot, policy, wanted: 1, now: 1_000, maxWaitMs: 0 });
    assert.deepEqual(reservation, { slots: [], nextFreeAt: 90_000, source: 'table' });
  });

  it('gives up after maxAttempts lost races, granting nothing rather than looping', async () => {
    const store: BudgetStore = new MemoryBudgetStore();
    const rival = aLedger(store).ledger;
    const racing: BudgetStore = {
      append: async (id, change) => {
        await rival.reserve({ robot, policy, wanted: 1, now: 0, maxWaitMs: 0 });
        return store.append(id, change);
      },
      raiseBlock: (id, until, expiresAt) => store.raiseBlock(id, until, expiresAt),
      claim: (key, expiresAt) => store.claim(key, expiresAt),
    };
    const { ledger, logger } = aLedger(racing, { maxAttempts: 3 });
    const reservation = await ledger.reserve({ robot, policy, wanted: 1, now: 0, maxWaitMs: 0 });
    assert.deepEqual(reservation, { slots: [], nextFreeAt: 0, source: 'table' });
    assert.equal(ledger.stats().robots[robot]!.conflicts, 3);
    assert.match(logger.warnings[0]!.message, /kept winning/);
  });

  it('falls back to its share of the limit when the table fails, logs and counts it, and tries the table again', async () => {
    const store = unreachableStore();
    const { ledger, logger } = aLedger(store, { concurrency: 5, tableRetryMs: 5_000 });
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => ledger.reserve({ robot, policy, wanted: 1, now: 0, maxWaitMs: 0 })),
    );
    assert.equal(answers.flatMap((a) => a.slots).length, 4, '20 a minute shared by 5 invocations');
    assert.ok(answers.every((a) => a.source === 'local'));
    assert.equal(store.calls, 1, 'calls queued behind a failure do not wait out a failure of their own');
    assert.equal(logger.warnings.length, 1);
    assert.match(String(logger.warnings[0]!.fields.reason), /ECONNREFUSED/);
    const otherRobot = robotIdOf('another-robot');
    await ledger.reserve({ robot: otherRobot, policy, wanted: 1, now: 4_999, maxWaitMs: 0 });
    assert.equal(store.calls, 1, 'nor do calls for other robots moments later');
    await ledger.reserve({ robot, policy, wanted: 1, now: 5_000, maxWaitMs: 0 });
    assert.equal(store.calls, 2, 'the first call after tableRetryMs tries the table again');
    assert.equal(ledger.stats().robots[robot]!.fallbacks, 11);
  });

  it('claims a key once, and once per process when the table fails', async () => {
    const { ledger } = aLedger(new MemoryBudgetStore());
    const claims = await Promise.all(
      Array.from({ length: 5 }, () => ledger.claimOnce({ key: 'uid/ops/1', ttlSeconds: 600, now: 0 })),
    );
    assert.deepEqual(claims.sort(), [false, false, false, false, true]);
    const offline = aLedger(unreachableStore()).ledger;
    assert.equal(await offline.claimOnce({ key: 'uid/ops/1', ttlSeconds: 600, now: 0 }), true);
    assert.equal(await offline.claimOnce({ key: 'uid/ops/1', ttlSeconds: 600, now: 0 }), false);
    assert.deepEqual(offline.stats().claims, { claimed: 1, duplicates: 1, fallbacks: 2, requests: 1 });
  });
});
