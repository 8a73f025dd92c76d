import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeEvent } from '../../../contracts/index.ts';
import type { KubeEvent } from '../../../contracts/index.ts';
import { compileMatcher } from '../../../functions/rules/index.ts';
import { validateBundle } from '../../../functions/bundle/index.ts';
import type { Matcher } from '../../../functions/bundle/index.ts';
import { aBundle } from '../../helpers/builders.ts';

const FIRST = '2026-11-27T10:00:00Z';
const at = (offsetMs: number) => new Date(Date.parse(FIRST) + offsetMs).toISOString();
const FIVE_MINUTES = 5 * 60_000;

/** A core/v1 Event with the timestamps given (a field left out is absent from the object). */
function coreEvent(times: { firstTimestamp?: string; lastTimestamp?: string; count?: number }): KubeEvent {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: 'web.1', namespace: 'payments', uid: 'u1' },
    involvedObject: { kind: 'Pod', name: 'web', namespace: 'payments' },
    reason: 'Unhealthy',
    message: 'Readiness probe failed',
    type: 'Warning',
    count: times.count ?? 10,
    ...times,
  } as KubeEvent;
}

/** An events.k8s.io/v1 Event: first seen is `eventTime`, last seen the series' `lastObservedTime`. */
function seriesEvent(eventTime: string | undefined, lastObservedTime: string | undefined): KubeEvent {
  return {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { name: 'web.1', namespace: 'payments', uid: 'u1' },
    regarding: { kind: 'Pod', name: 'web', namespace: 'payments' },
    reason: 'Unhealthy',
    note: 'Readiness probe failed',
    type: 'Warning',
    ...(eventTime ? { eventTime } : {}),
    series: { count: 10, ...(lastObservedTime ? { lastObservedTime } : {}) },
  } as KubeEvent;
}

function matches(matcher: Matcher, event: KubeEvent): boolean {
  const normalized = normalizeEvent({ v: 1, cluster: 'c', watchType: 'MODIFIED', observedAt: FIRST, event });
  return compileMatcher(matcher)(normalized);
}

describe('persistedFor: last seen − first seen from the event’s own timestamps', () => {
  const cases: Array<[string, Matcher, KubeEvent, boolean]> = [
    [
      'core/v1 just under the duration',
      { persistedFor: '5m' },
      coreEvent({ firstTimestamp: FIRST, lastTimestamp: at(FIVE_MINUTES - 1000) }),
      false,
    ],
    [
      'core/v1 exactly at the duration',
      { persistedFor: '5m' },
      coreEvent({ firstTimestamp: FIRST, lastTimestamp: at(FIVE_MINUTES) }),
      true,
    ],
    [
      'core/v1 just over the duration',
      { persistedFor: '5m' },
      coreEvent({ firstTimestamp: FIRST, lastTimestamp: at(FIVE_MINUTES + 1000) }),
      true,
    ],
    [
      'events.k8s.io/v1 series just under',
      { persistedFor: '5m' },
      seriesEvent(FIRST, at(FIVE_MINUTES - 1000)),
      false,
    ],
    [
      'events.k8s.io/v1 series at the duration',
      { persistedFor: '5m' },
      seriesEvent(FIRST, at(FIVE_MINUTES)),
      true,
    ],
    [
      'events.k8s.io/v1 without a series time has recurred for 0',
      { persistedFor: '1s' },
      seriesEvent(FIRST, undefined),
      false,
    ],
    [
      'core/v1 without a last timestamp has recurred for 0',
      { persistedFor: '1s' },
      coreEvent({ firstTimestamp: FIRST }),
      false,
    ],
    ['no timestamp at all never counts as persisted', { persistedFor: '1s' }, coreEvent({}), false],
    [
      'hours and minutes add up (1h30m)',
      { persistedFor: '1h30m' },
      coreEvent({ firstTimestamp: FIRST, lastTimestamp: at(90 * 60_000) }),
      true,
    ],
    [
      'minCount and persistedFor together: both hold',
      { minCount: 10, persistedFor: '5m' },
      coreEvent({ firstTimestamp: FIRST, lastTimestamp: at(FIVE_MINUTES), count: 10 }),
      true,
    ],
    [
      'minCount and persistedFor together: long enough but too few',
      { minCount: 10, persistedFor: '5m' },
      coreEvent({ firstTimestamp: FIRST, lastTimestamp: at(FIVE_MINUTES), count: 9 }),
      false,
    ],
    [
      'minCount and persistedFor together: enough but too short',
      { minCount: 10, persistedFor: '5m' },
      coreEvent({ firstTimestamp: FIRST, lastTimestamp: at(FIVE_MINUTES - 1000), count: 50 }),
      false,
    ],
  ];
  for (const [name, matcher, event, expected] of cases) {
    it(name, () => assert.equal(matches(matcher, event), expected));
  }
});

describe('persistedFor and repeat.every are validated as durations', () => {
  const problemsOf = (route: Record<string, unknown>) =>
    validateBundle(aBundle({ routes: [{ name: 'r', receivers: ['ops'], ...route }] })).problems.map(
      (problem) => `${problem.path}: ${problem.message}`,
    );

  it('accepts hours, minutes and seconds', () => {
    assert.deepEqual(problemsOf({ match: { persistedFor: '1h2m3s' }, repeat: { every: '30m' } }), []);
  });
  for (const bad of ['5', '5 m', '0s', '', '1d', '5m1h']) {
    it(`rejects ${JSON.stringify(bad)} with its path`, () => {
      assert.deepEqual(problemsOf({ match: { persistedFor: bad } }), [
        '$.routes[0].match.persistedFor: expected a duration such as "90s", "5m" or "1h30m"',
      ]);
    });
  }
  it('rejects an unknown repeat field with its path', () => {
    const problems = problemsOf({ repeat: { every: '5m', jitter: '1m' } });
    assert.ok(
      problems.some((problem) => problem.startsWith('$.routes[0].repeat')),
      problems.join('\n'),
    );
  });
});
