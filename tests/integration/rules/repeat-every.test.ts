import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { processBatch } from '../../../functions/pipeline/index.ts';
import type { BatchRecord, MessageSender } from '../../../functions/pipeline/index.ts';
import { compileRenderer } from '../../../functions/render/index.ts';
import type { RenderedMessage } from '../../../functions/render/index.ts';
import { compileRules } from '../../../functions/rules/index.ts';
import { validateBundle } from '../../../functions/bundle/index.ts';
import { aBundle, anEnvelope, NOW } from '../../helpers/builders.ts';
import { aLedger, grantAll, startStateTable, type StateTable } from '../../helpers/budget.ts';

// `repeat: { every }` against a real DynamoDB-protocol server (dynalite): each "container" is a ledger with its own
// client, as separate Lambda containers have, and all of them share one state table.

const bundle = validateBundle(
  aBundle({ routes: [{ name: 'probes', receivers: ['ops'], repeat: { every: '10m' } }] }),
).bundle!;
const engine = compileRules(bundle);
const renderer = compileRenderer(bundle, { now: () => NOW });
const FIRST_SEEN = Date.parse('2026-11-27T10:00:00Z');
const MINUTE = 60_000;

let table: StateTable;
before(async () => {
  table = await startStateTable();
});
after(() => table.close());

/** Every message every container sent, in one list. */
const sent: RenderedMessage[] = [];
const sender: MessageSender = {
  reserve: grantAll,
  send: async (message) => {
    sent.push(message);
    return { attempts: 1 };
  },
};

let serial = 0;
/** One update of the probe failure, last seen `minutes` after it was first seen (the builder's first-seen time). */
function update(uid: string, minutes: number, count: number): BatchRecord {
  const lastSeen = new Date(FIRST_SEEN + minutes * MINUTE).toISOString();
  return {
    messageId: `m-${serial++}`,
    body: JSON.stringify(anEnvelope({ uid, reason: 'Unhealthy', watchType: 'MODIFIED', count, lastSeen })),
  };
}

/** `containers` invocations at once, each in its own container, each handed the same batch. */
async function concurrently(containers: number, batch: BatchRecord[], now = NOW): Promise<number> {
  const before = sent.length;
  await Promise.all(
    Array.from({ length: containers }, () =>
      processBatch(
        batch,
        { engine, renderer, sender, claims: aLedger(table.store()).ledger },
        { now, deadline: now + MINUTE },
      ),
    ),
  );
  return sent.length - before;
}

describe('repeat.every on the shared state table', () => {
  it('sends once when five containers get the same update at once', async () => {
    assert.equal(await concurrently(5, [update('u-concurrent', 0, 1)]), 1);
  });

  it('sends nothing for redeliveries and later updates in the same window, once in each new window', async () => {
    const uid = 'u-windows';
    assert.equal(await concurrently(1, [update(uid, 0, 1)]), 1, 'the first sighting');
    assert.equal(await concurrently(3, [update(uid, 0, 1)], NOW + 30 * MINUTE), 0, 'redelivered, late');
    assert.equal(await concurrently(2, [update(uid, 9, 30)]), 0, 'still window 0 (9 minutes)');
    assert.equal(await concurrently(5, [update(uid, 10, 31), update(uid, 12, 33)]), 1, 'window 1');
    assert.equal(await concurrently(5, [update(uid, 19, 40)]), 0, 'window 1 again');
    assert.equal(await concurrently(5, [update(uid, 25, 50)]), 1, 'window 2');
  });

  it('gives each receiver and each event its own window', async () => {
    assert.equal(await concurrently(3, [update('u-a', 0, 1), update('u-b', 0, 1)]), 2);
  });
});
