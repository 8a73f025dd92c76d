import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { repeatClaim } from '../../../functions/rules/index.ts';
import { inMemoryClaims, planBatch, processBatch } from '../../../functions/pipeline/index.ts';
import type { BatchRecord, MessageSender } from '../../../functions/pipeline/index.ts';
import { compileRenderer } from '../../../functions/render/index.ts';
import type { BundleInput } from '../../../functions/bundle/index.ts';
import { anEngine, anEnvelope, anEvent, NOW } from '../../helpers/builders.ts';
import type { EventSpec } from '../../helpers/builders.ts';
import { grantAll } from '../../helpers/budget.ts';

const MINUTE = 60_000;
const FIRST_SEEN = '2026-11-27T10:00:00Z';
const minutesAfterFirstSeen = (minutes: number) =>
  new Date(Date.parse(FIRST_SEEN) + minutes * MINUTE).toISOString();

describe('repeat.every: the window an update falls in', () => {
  const windowOf = (lastSeen: string | null, firstSeen: string | null = FIRST_SEEN, now = NOW) =>
    repeatClaim({ uid: 'u', firstSeen, lastSeen }, 'ops', 10 * MINUTE, now)
      .key.split('/')
      .at(-1);
  const table: Array<[string, string | null, string | null, string]> = [
    ['first sighting', FIRST_SEEN, FIRST_SEEN, '0'],
    ['exactly one window later', minutesAfterFirstSeen(10), FIRST_SEEN, '1'],
    [
      'one second under one window',
      new Date(Date.parse(FIRST_SEEN) + 10 * MINUTE - 1000).toISOString(),
      FIRST_SEEN,
      '0',
    ],
    ['two and a half windows', minutesAfterFirstSeen(25), FIRST_SEEN, '2'],
  ];
  for (const [name, lastSeen, firstSeen, expected] of table) {
    it(name, () => assert.equal(windowOf(lastSeen, firstSeen), expected));
  }
  it('an event without timestamps is placed by the clock, in windows counted from the epoch', () => {
    assert.equal(windowOf(null, null, 25 * MINUTE), '2');
  });
  it('the key names the event, the receiver and the window length, and outlives a late redelivery', () => {
    const claim = repeatClaim({ uid: 'u1', firstSeen: FIRST_SEEN, lastSeen: FIRST_SEEN }, 'ops', MINUTE, NOW);
    assert.deepEqual(claim, { key: 'u1/ops/60000/0', ttlSeconds: 60 + 86_400 });
  });
});

describe('repeat.every in the engine', () => {
  it('asks for a claim only where time-based routes alone reach the receiver', () => {
    const engine = anEngine({
      routes: [
        { name: 'timed', receivers: ['ops', 'dev'], repeat: { every: '5m' } },
        { name: 'counted', receivers: ['dev'], repeat: 'always' },
      ],
    });
    const decision = engine.evaluate(anEvent({ watchType: 'MODIFIED', count: 3 }), NOW);
    const claims = Object.fromEntries(decision.deliveries.map((d) => [d.receiver, d.claim?.key ?? null]));
    assert.deepEqual(claims, { ops: 'uid-web-7d9f8-x2k4p-BackOff/ops/300000/0', dev: null });
  });
});

let serial = 0;
const record = (spec: EventSpec): BatchRecord => ({
  messageId: `m-${serial++}`,
  body: JSON.stringify(anEnvelope({ watchType: 'MODIFIED', ...spec })),
});
function depsFor(routes: BundleInput['routes']) {
  const engine = anEngine({ routes });
  return { engine, renderer: compileRenderer(engine.bundle, { now: () => NOW }) };
}

describe('repeat in a batch', () => {
  it('exponential: an event bumped 1→5 whose counts 4 and 5 share a batch notifies for 4, once', async () => {
    const deps = depsFor([{ name: 'r', receivers: ['ops'], repeat: 'exponential' }]);
    const notified = [];
    for (const batch of [[1], [2], [3], [4, 5]]) {
      const { stats } = await planBatch(
        batch.map((count) => record({ count })),
        deps,
        NOW,
      );
      notified.push(stats.messages);
    }
    assert.deepEqual(notified, [1, 1, 0, 1]);
  });

  it('every: several updates of one window in one batch make one message, and later batches none', async () => {
    const deps = {
      ...depsFor([{ name: 'r', receivers: ['ops'], repeat: { every: '10m' } }]),
      claims: inMemoryClaims(),
    };
    const first = await planBatch(
      [1, 2, 3].map((count) => record({ count, lastSeen: minutesAfterFirstSeen(count) })),
      deps,
      NOW,
    );
    const again = await planBatch([record({ count: 4, lastSeen: minutesAfterFirstSeen(4) })], deps, NOW);
    assert.deepEqual([first.stats.messages, again.stats.messages, again.stats.suppressed.repeat], [1, 0, 1]);
  });

  it('every: a silenced update spends no window, so the first update after the silence notifies', async () => {
    const engine = anEngine({
      routes: [{ name: 'r', receivers: ['ops'], repeat: { every: '10m' } }],
      silences: [{ match: {}, endsAt: new Date(NOW + MINUTE).toISOString(), comment: 'maintenance' }],
    });
    const deps = {
      engine,
      renderer: compileRenderer(engine.bundle, { now: () => NOW }),
      claims: inMemoryClaims(),
    };
    const during = await planBatch([record({ count: 1 })], deps, NOW);
    const afterwards = await planBatch([record({ count: 2 })], deps, NOW + 2 * MINUTE);
    assert.deepEqual([during.stats.suppressed, afterwards.stats.messages], [{ silence: 1 }, 1]);
  });

  it('every: a copy re-enqueued for a waiting receiver is delivered although its window is taken', async () => {
    const sent: string[] = [];
    const sender: MessageSender = {
      reserve: grantAll,
      send: async (message) => {
        sent.push(message.receiver);
        return { attempts: 1 };
      },
    };
    const deps = {
      ...depsFor([{ name: 'r', receivers: ['ops', 'dev'], repeat: { every: '10m' } }]),
      sender,
      claims: inMemoryClaims(),
    };
    const context = { now: NOW, deadline: NOW + MINUTE };
    await processBatch([record({ count: 1 })], deps, context);
    const copy = { ...anEnvelope({ watchType: 'MODIFIED', count: 1 }), owed: ['dev'] };
    await processBatch([{ messageId: 'copy', body: JSON.stringify(copy) }], deps, context);
    assert.deepEqual(sent, ['ops', 'dev', 'dev']);
    // The copy and a fresh update of the same window in one batch: the copy's receiver is still owed, the other not.
    sent.length = 0;
    await processBatch(
      [record({ count: 2 }), { messageId: 'copy-2', body: JSON.stringify(copy) }],
      deps,
      context,
    );
    assert.deepEqual(sent, ['dev']);
  });
});
