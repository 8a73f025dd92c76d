import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileMatcher } from '../../../functions/rules/index.ts';
import type { BundleInput, Matcher } from '../../../functions/bundle/index.ts';
import { anEngine, anEvent, NOW } from '../../helpers/builders.ts';
import type { EventSpec } from '../../helpers/builders.ts';

type RouteInput = BundleInput['routes'][number];

const NAMESPACES = ['payments', 'orders', 'payments-canary', ''];
const KINDS = ['Pod', 'Node', 'Deployment'];
const REASONS = ['BackOff', 'Failed', 'FailedMount', 'Unhealthy'];

/** Exact values and patterns with regex syntax, so some routes are indexed on a field and some are not. */
const patterns = (values: string[], regexes: string[]) =>
  fc.uniqueArray(fc.constantFrom(...values, ...regexes), { minLength: 1, maxLength: 3 });

const matcher: fc.Arbitrary<Matcher> = fc.record(
  {
    types: fc.uniqueArray(fc.constantFrom('Normal' as const, 'Warning' as const), { minLength: 1 }),
    namespaces: patterns(NAMESPACES, ['payments-.*', '.*s', '']),
    kinds: patterns(KINDS, ['No.*', 'Pod|Node']),
    reasons: patterns(REASONS, ['Failed.*', '.*Off']),
    minCount: fc.integer({ min: 1, max: 4 }),
    // Not indexed: a route with only time conditions stays a candidate for every event.
    persistedFor: fc.constantFrom('1m', '5m', '10m'),
  },
  { requiredKeys: [] },
);

const route: fc.Arbitrary<RouteInput> = fc.record({
  name: fc.constant('r'),
  match: fc.option(matcher, { nil: undefined }),
  exclude: fc.option(matcher, { nil: undefined }),
  receivers: fc.constant(['team']),
  // Rarely, so that evaluation reaches the routes past the first 32.
  stop: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
  repeat: fc.constant('always' as const),
});

const eventSpec: fc.Arbitrary<EventSpec> = fc.record({
  type: fc.constantFrom('Normal', 'Warning'),
  namespace: fc.constantFrom(...NAMESPACES, 'search'),
  kind: fc.constantFrom(...KINDS, 'Job'),
  reason: fc.constantFrom(...REASONS, 'Pulled'),
  count: fc.integer({ min: 1, max: 5 }),
  lastSeen: fc.constantFrom('2026-11-27T10:00:00Z', '2026-11-27T10:04:59Z', '2026-11-27T10:05:00Z'),
});

/** What routing means, without any index: every route in order, until a matching `stop` route. */
function referenceRoutes(routes: RouteInput[], spec: EventSpec): string[] {
  const event = anEvent(spec);
  const names: string[] = [];
  for (const r of routes) {
    if (!compileMatcher(r.match ?? {})(event)) continue;
    if (r.exclude && compileMatcher(r.exclude as Matcher)(event)) continue;
    names.push(r.name);
    if (r.stop) break;
  }
  return names;
}

describe('the route index', () => {
  it('routes every event exactly as testing every route in order would, across more than 32 routes', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.array(route, { minLength: 1, maxLength: 8 }),
          fc.array(route, { minLength: 33, maxLength: 70 }),
        ),
        fc.array(eventSpec, { minLength: 1, maxLength: 20 }),
        (generated, specs) => {
          const routes = generated.map((r, i) => ({ ...r, name: `r${i}` }));
          const engine = anEngine({ routes });
          for (const spec of specs) {
            assert.deepEqual(engine.evaluate(anEvent(spec), NOW).routes, referenceRoutes(routes, spec));
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('a route naming exact namespaces still matches cluster-scoped events when it names ""', () => {
    const engine = anEngine({
      routes: [
        { name: 'nodes', match: { namespaces: [''], kinds: ['Node'] }, receivers: ['ops'] },
        { name: 'pay', match: { namespaces: ['payments'] }, receivers: ['pay'] },
      ],
    });
    assert.deepEqual(engine.evaluate(anEvent({ namespace: '', kind: 'Node' }), NOW).routes, ['nodes']);
    assert.deepEqual(engine.evaluate(anEvent({ namespace: 'payments' }), NOW).routes, ['pay']);
  });
});
