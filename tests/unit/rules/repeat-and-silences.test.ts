import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { repeatAllows, repeatAllowsAny } from '../../../functions/rules/index.ts';
import type { CountRepeatPolicy } from '../../../functions/bundle/index.ts';
import { anEngine, anEvent, NOW } from '../../helpers/builders.ts';

describe('repeat policies', () => {
  const table: Array<[CountRepeatPolicy, 'ADDED' | 'MODIFIED', number, boolean]> = [
    ['always', 'MODIFIED', 7, true],
    ['first', 'ADDED', 5, true],
    ['first', 'MODIFIED', 1, true],
    ['first', 'MODIFIED', 2, false],
    ['exponential', 'ADDED', 3, true],
    ['exponential', 'MODIFIED', 1, true],
    ['exponential', 'MODIFIED', 2, true],
    ['exponential', 'MODIFIED', 3, false],
    ['exponential', 'MODIFIED', 4, true],
    ['exponential', 'MODIFIED', 6, false],
    ['exponential', 'MODIFIED', 8, true],
    ['exponential', 'MODIFIED', 1024, true],
    ['exponential', 'MODIFIED', 2 ** 33, true],
    ['exponential', 'MODIFIED', 2 ** 33 + 1, false],
  ];
  for (const [policy, watchType, count, expected] of table) {
    it(`${policy} ${expected ? 'notifies' : 'holds back'} ${watchType} at count ${count}`, () => {
      assert.equal(repeatAllows(policy, { watchType, count }), expected);
    });
  }

  it('collapsed updates notify if any of them qualified', () => {
    assert.equal(
      repeatAllowsAny('exponential', [
        { watchType: 'MODIFIED', count: 3 },
        { watchType: 'MODIFIED', count: 5 },
      ]),
      false,
    );
    assert.equal(
      repeatAllowsAny('exponential', [
        { watchType: 'MODIFIED', count: 3 },
        { watchType: 'MODIFIED', count: 4 },
        { watchType: 'MODIFIED', count: 5 },
      ]),
      true,
    );
  });

  it('the engine judges the collapsed occurrences, not only the latest', () => {
    const engine = anEngine({ routes: [{ name: 'r', receivers: ['ops'], repeat: 'first' }] });
    const latest = anEvent({ watchType: 'MODIFIED', count: 3 });
    assert.deepEqual(engine.evaluate(latest, NOW).suppressedBy, { reason: 'repeat' });
    const occurrences = [
      { watchType: 'ADDED' as const, count: 1 },
      { watchType: 'MODIFIED' as const, count: 3 },
    ];
    assert.equal(engine.evaluate(latest, NOW, occurrences).notify, true);
  });

  it('suppresses as repeat only when no matching route lets the event through', () => {
    const engine = anEngine({
      routes: [
        { name: 'once', receivers: ['ops'], repeat: 'first' },
        { name: 'every', match: { reasons: ['BackOff'] }, receivers: ['pay'], repeat: 'always' },
      ],
    });
    const update = anEvent({ watchType: 'MODIFIED', count: 3 });
    const decision = engine.evaluate(update, NOW);
    assert.deepEqual(decision.routes, ['once', 'every']);
    assert.deepEqual(
      decision.deliveries.map((d) => d.receiver),
      ['pay'],
    );
    const other = engine.evaluate(anEvent({ watchType: 'MODIFIED', count: 3, reason: 'Unhealthy' }), NOW);
    assert.deepEqual(other.suppressedBy, { reason: 'repeat' });
    assert.deepEqual(other.routes, ['once']);
  });

  it('defaults to exponential', () => {
    const engine = anEngine({ routes: [{ name: 'r', receivers: ['ops'] }] });
    assert.deepEqual(engine.evaluate(anEvent({ watchType: 'MODIFIED', count: 3 }), NOW).suppressedBy, {
      reason: 'repeat',
    });
    assert.equal(engine.evaluate(anEvent({ watchType: 'MODIFIED', count: 4 }), NOW).notify, true);
  });
});

describe('silences', () => {
  const engine = anEngine({
    routes: [{ name: 'r', receivers: ['ops'] }],
    silences: [
      { match: { reasons: ['Unhealthy'] }, endsAt: '2026-11-27T11:00:00Z', comment: 'probe tuning' },
      {
        match: { namespaces: ['payments'] },
        startsAt: '2026-11-27T10:00:00Z',
        endsAt: '2026-11-27T10:30:00Z',
        comment: 'payments maintenance',
      },
    ],
  });
  const at = (iso: string) => Date.parse(iso);

  it('silences a matching event inside its window', () => {
    assert.deepEqual(
      engine.evaluate(anEvent({ namespace: 'payments' }), at('2026-11-27T10:15:00Z')).suppressedBy,
      { reason: 'silence', silence: 1 },
    );
  });
  it('is active from startsAt inclusive', () => {
    assert.deepEqual(
      engine.evaluate(anEvent({ namespace: 'payments' }), at('2026-11-27T10:00:00Z')).suppressedBy,
      { reason: 'silence', silence: 1 },
    );
  });
  it('is not active one millisecond before startsAt', () => {
    assert.equal(
      engine.evaluate(anEvent({ namespace: 'payments' }), at('2026-11-27T09:59:59.999Z')).notify,
      true,
    );
  });
  it('is no longer active at endsAt', () => {
    assert.equal(
      engine.evaluate(anEvent({ namespace: 'payments' }), at('2026-11-27T10:30:00Z')).notify,
      true,
    );
  });
  it('without startsAt is active until endsAt', () => {
    assert.deepEqual(
      engine.evaluate(anEvent({ reason: 'Unhealthy', namespace: 'orders' }), at('2020-01-01T00:00:00Z'))
        .suppressedBy,
      { reason: 'silence', silence: 0 },
    );
  });
  it('reports the first active silence that matches', () => {
    const event = anEvent({ reason: 'Unhealthy', namespace: 'payments' });
    assert.deepEqual(engine.evaluate(event, at('2026-11-27T10:10:00Z')).suppressedBy, {
      reason: 'silence',
      silence: 0,
    });
  });
  it('does not silence events it does not match', () => {
    assert.equal(engine.evaluate(anEvent({ namespace: 'orders' }), at('2026-11-27T10:10:00Z')).notify, true);
  });
  it('judges no-route and repeat before silences', () => {
    const event = anEvent({ namespace: 'payments', watchType: 'MODIFIED', count: 3 });
    assert.deepEqual(engine.evaluate(event, at('2026-11-27T10:10:00Z')).suppressedBy, { reason: 'repeat' });
  });
  it('lists matched routes even when silenced', () => {
    const decision = engine.evaluate(anEvent({ namespace: 'payments' }), at('2026-11-27T10:10:00Z'));
    assert.deepEqual(decision.routes, ['r']);
    assert.deepEqual(decision.deliveries, []);
  });
});
