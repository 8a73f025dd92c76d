import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compilePattern, compileRules } from '../../../functions/rules/index.ts';
import { validateBundle } from '../../../functions/bundle/index.ts';
import { anEvent, NOW } from '../../helpers/builders.ts';

const names = fc.constantFrom('ops', 'pay', 'orders', 'data', 'audit');
const patterns = fc.oneof(
  fc.constantFrom('BackOff', 'Failed.*', '(', '[a-', '*x', 'a{2', '(?<n>x)', '\\', 'x|y', '.*OOM.*', ''),
  fc.string({ maxLength: 8 }),
);
const matcher = fc.record(
  {
    reasons: fc.array(patterns, { minLength: 1, maxLength: 3 }),
    namespaces: fc.array(patterns, { minLength: 1, maxLength: 2 }),
  },
  { requiredKeys: [] },
);
const bundles = fc.record({
  version: fc.constant(1),
  receivers: fc.dictionary(names, fc.record({ webhook: fc.constant('env:WECOM_KEY') }), {
    minKeys: 0,
    maxKeys: 3,
  }),
  routes: fc.array(
    fc.record({
      name: fc.string({ minLength: 1, maxLength: 4 }),
      match: matcher,
      receivers: fc.array(names, { minLength: 1, maxLength: 3 }),
    }),
    { maxLength: 4 },
  ),
});

function compiles(pattern: string): boolean {
  try {
    compilePattern(pattern);
    return true;
  } catch {
    return false;
  }
}

describe('validation properties', () => {
  it('never accepts an invalid regular expression or a dangling receiver, and an accepted bundle runs', () => {
    fc.assert(
      fc.property(bundles, (input) => {
        const result = validateBundle(input);
        const allPatterns = input.routes.flatMap((r) => [
          ...(r.match.reasons ?? []),
          ...(r.match.namespaces ?? []),
        ]);
        const dangling = input.routes.some((r) => r.receivers.some((name) => !(name in input.receivers)));
        const badPattern = allPatterns.some((p) => !compiles(p));
        const duplicateNames = new Set(input.routes.map((r) => r.name)).size !== input.routes.length;
        if (dangling || badPattern || duplicateNames) {
          assert.equal(result.bundle, undefined);
          assert.ok(result.problems.length > 0);
          assert.ok(result.problems.every((p) => p.path.startsWith('$')));
        } else {
          assert.ok(result.bundle, JSON.stringify(result.problems));
          compileRules(result.bundle).evaluate(anEvent(), NOW);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('never throws on arbitrary JSON, and reports problems with JSON paths', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const result = validateBundle(value);
        assert.ok(result.problems.every((p) => p.path.startsWith('$') && p.message.length > 0));
      }),
      { numRuns: 300 },
    );
  });
});
