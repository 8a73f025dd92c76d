import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileMatcher } from '../../../functions/rules/index.ts';
import type { Matcher } from '../../../functions/bundle/index.ts';
import { anEvent } from '../../helpers/builders.ts';
import type { EventSpec } from '../../helpers/builders.ts';

const cases: Array<[string, Matcher, EventSpec, boolean]> = [
  ['an empty matcher matches everything', {}, {}, true],
  ['types matches the exact type', { types: ['Warning'] }, { type: 'Warning' }, true],
  ['types rejects other types', { types: ['Warning'] }, { type: 'Normal' }, false],
  ['level Warning means Warning only', { level: 'Warning' }, { type: 'Normal' }, false],
  ['level Warning passes Warning', { level: 'Warning' }, { type: 'Warning' }, true],
  ['level Normal means Normal and Warning (Normal)', { level: 'Normal' }, { type: 'Normal' }, true],
  ['level Normal means Normal and Warning (Warning)', { level: 'Normal' }, { type: 'Warning' }, true],
  ['namespaces match the whole value', { namespaces: ['pay'] }, { namespace: 'payments' }, false],
  [
    'namespaces match a regex over the whole value',
    { namespaces: ['pay.*'] },
    { namespace: 'payments' },
    true,
  ],
  [
    'patterns are anchored: Failed does not match FailedMount',
    { reasons: ['Failed'] },
    { reason: 'FailedMount' },
    false,
  ],
  ['Failed.* matches FailedMount', { reasons: ['Failed.*'] }, { reason: 'FailedMount' }, true],
  ['patterns are case-sensitive', { reasons: ['backoff'] }, { reason: 'BackOff' }, false],
  ['list items are ORed', { reasons: ['Unhealthy', 'BackOff'] }, { reason: 'BackOff' }, true],
  ['literal and regex items mix', { reasons: ['Unhealthy', 'Back.*'] }, { reason: 'BackOff' }, true],
  [
    '. matches a newline in messages',
    { messages: ['.*OOM.*'] },
    { message: 'Container redis\nwas OOMKilled\nExit 137' },
    true,
  ],
  ['alternation stays anchored', { reasons: ['A|B'] }, { reason: 'AB' }, false],
  ['kinds', { kinds: ['Node'] }, { kind: 'Node', namespace: '' }, true],
  ['names', { names: ['web-.*'] }, { name: 'web-7d9f8-x2k4p' }, true],
  ['names reject', { names: ['api-.*'] }, { name: 'web-7d9f8-x2k4p' }, false],
  ['components', { components: ['kubelet'] }, { component: 'kubelet' }, true],
  ['components reject', { components: ['default-scheduler'] }, { component: 'kubelet' }, false],
  ['hosts', { hosts: ['node-sh-.*'] }, { host: 'node-sh-3' }, true],
  ['hosts reject', { hosts: ['node-bj-.*'] }, { host: 'node-sh-3' }, false],
  ['clusters', { clusters: ['prod-.*'] }, { cluster: 'prod-sh' }, true],
  ['clusters reject', { clusters: ['dev'] }, { cluster: 'prod-sh' }, false],
  ['minCount passes at the count', { minCount: 3 }, { count: 3 }, true],
  ['minCount rejects below', { minCount: 3 }, { count: 2 }, false],
  ['namespaceLabels need the label', { namespaceLabels: { team: 'pay' } }, { labels: {} }, false],
  [
    'namespaceLabels match the value',
    { namespaceLabels: { team: 'pay|orders' } },
    { labels: { team: 'orders' } },
    true,
  ],
  [
    'namespaceLabels are anchored',
    { namespaceLabels: { team: 'pay' } },
    { labels: { team: 'payments' } },
    false,
  ],
  [
    'fields are ANDed',
    { types: ['Warning'], reasons: ['BackOff'] },
    { type: 'Warning', reason: 'Unhealthy' },
    false,
  ],
  ['a cluster-scoped event has namespace ""', { namespaces: ['.*'] }, { kind: 'Node', namespace: '' }, true],
  [
    'a namespaces filter excludes cluster-scoped events',
    { namespaces: ['.+'] },
    { kind: 'Node', namespace: '' },
    false,
  ],
  [
    'an explicit "" pattern keeps cluster-scoped events',
    { namespaces: ['payments', ''] },
    { kind: 'Node', namespace: '' },
    true,
  ],
];

describe('matchers', () => {
  for (const [name, matcher, spec, expected] of cases) {
    it(name, () => {
      assert.equal(compileMatcher(matcher)(anEvent(spec)), expected);
    });
  }
});
