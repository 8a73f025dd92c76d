import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DynamoPendingStore, MemoryPendingStore } from '../../../functions/deferral/index.ts';
import type { Parking, PendingStore } from '../../../functions/deferral/index.ts';
import { tallyOf } from '../../../functions/render/index.ts';
import { aBudgetClient, startStateTable, type StateTable } from '../../helpers/budget.ts';

const NOW = Date.parse('2026-11-27T10:00:00Z');
let serial = 0;

/** A parking of `n` Warning events of `reason` in `namespace`, mentioning `users`. */
function parking(n: number, reason = 'BackOff', namespace = 'pay', users: string[] = []): Parking {
  const events = Array.from({ length: n }, () => ({ cluster: 'prod', type: 'Warning', reason, namespace }));
  return {
    id: `p${serial++}`,
    tally: tallyOf(events),
    mentions: { users, mobiles: [], all: false },
    since: NOW - 1000 * serial,
    carried: [],
  };
}

describe('parked events in the state table', () => {
  let table: StateTable;
  const stores: Array<[string, () => PendingStore]> = [];
  before(async () => {
    table = await startStateTable('kube-wecom-pending-test');
    stores.push(
      ['dynamodb', () => new DynamoPendingStore(aBudgetClient(table.dynamo.endpoint), table.tableName)],
      ['memory', () => new MemoryPendingStore()],
    );
  });
  after(() => table.close());

  for (const name of ['dynamodb', 'memory']) {
    describe(name, () => {
      const store = () => stores.find(([n]) => n === name)![1]();

      it('adds parkings up and hands them out once, with counts, mentions and when the pile began', async () => {
        const pending = store();
        const receiver = `r-${serial++}`;
        const first = parking(3, 'BackOff', 'pay', ['li']);
        const second = parking(2, 'Unhealthy', 'web', ['wang', 'li']);
        await pending.park(receiver, first);
        await pending.park(receiver, second);
        const taken = await pending.take(receiver);
        assert.equal(taken!.tally.total, 5);
        assert.equal(taken!.tally.warnings, 5);
        assert.deepEqual(taken!.tally.byReason, { BackOff: 3, Unhealthy: 2 });
        assert.deepEqual(taken!.tally.byNamespace, { pay: 3, web: 2 });
        assert.deepEqual([...taken!.mentions.users].sort(), ['li', 'wang']);
        assert.deepEqual([...taken!.parkings].sort(), [first.id, second.id].sort());
        assert.equal(taken!.since, first.since);
        assert.equal(await pending.take(receiver), undefined, 'taken once');
      });

      it('keeps the ids of the parkings a pile carried when it is parked again', async () => {
        const pending = store();
        const receiver = `r-${serial++}`;
        await pending.park(receiver, { ...parking(2), carried: ['earlier-1', 'earlier-2'] });
        const taken = await pending.take(receiver);
        assert.ok(['earlier-1', 'earlier-2'].every((id) => taken!.parkings.includes(id)));
      });

      it('lets one batch claim the wake-up until it is due, then the next', async () => {
        const pending = store();
        const receiver = `r-${serial++}`;
        assert.equal(
          await pending.parkAndClaimWakeUp(receiver, parking(1), { now: NOW, dueAt: NOW + 20_000 }),
          true,
        );
        assert.equal(
          await pending.parkAndClaimWakeUp(receiver, parking(1), { now: NOW + 1000, dueAt: NOW + 21_000 }),
          false,
          'one wake-up on its way',
        );
        assert.equal((await pending.take(receiver))!.tally.total, 1, 'a refused claim parks nothing');
        await pending.park(receiver, parking(1));
        assert.equal(
          await pending.parkAndClaimWakeUp(receiver, parking(1), { now: NOW + 20_000, dueAt: NOW + 40_000 }),
          true,
          'after it was due, the next batch claims',
        );
      });

      it('loses no event when many batches park while others take', async () => {
        const pending = store();
        const receiver = `r-${serial++}`;
        let taken = 0;
        const take = async () => {
          const pile = await pending.take(receiver);
          taken += pile?.tally.total ?? 0;
        };
        await Promise.all(
          Array.from({ length: 40 }, (_, i) =>
            i % 4 === 3 ? take() : pending.park(receiver, parking(1 + (i % 3))),
          ),
        );
        await take();
        const parked = Array.from({ length: 40 }, (_, i) => (i % 4 === 3 ? 0 : 1 + (i % 3))).reduce(
          (a, b) => a + b,
        );
        assert.equal(taken, parked);
      });
    });
  }

  it('returns the pile it read when the answer to its delete is lost, so no parked event is lost', async () => {
    const client = aBudgetClient(table.dynamo.endpoint);
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        if (context.commandName === 'DeleteItemCommand') {
          throw new Error('socket hang up (the delete went through, its answer did not)');
        }
        return result;
      },
      { step: 'initialize', name: 'loseDeleteAnswers' },
    );
    const pending = new DynamoPendingStore(client, table.tableName);
    const receiver = `r-${serial++}`;
    await pending.park(receiver, parking(3));
    assert.equal((await pending.take(receiver))!.tally.total, 3);
    assert.equal(await pending.take(receiver), undefined, 'and it was deleted');
  });

  it('keeps a pile of many distinct reasons within one item, folding the rarest into (others)', async () => {
    const pending = new DynamoPendingStore(aBudgetClient(table.dynamo.endpoint), table.tableName);
    const receiver = `r-${serial++}`;
    const events = Array.from({ length: 100 }, (_, i) => ({
      cluster: 'prod',
      type: 'Warning',
      reason: `Reason${i}-${'x'.repeat(300)}`,
      namespace: `ns-${i}`,
    }));
    await pending.park(receiver, {
      id: 'wide',
      tally: tallyOf(events),
      mentions: { users: [], mobiles: [], all: false },
      since: NOW,
      carried: [],
    });
    const taken = await pending.take(receiver);
    assert.equal(taken!.tally.total, 100);
    assert.equal(
      Object.values(taken!.tally.byReason).reduce((a, b) => a + b),
      100,
    );
    assert.ok(Object.keys(taken!.tally.byReason).length <= 40);
    assert.ok('(others)' in taken!.tally.byReason);
  });
});
