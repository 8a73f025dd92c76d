import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compilePattern, compilePatternList } from '../../../functions/rules/index.ts';

describe('pattern lists', () => {
  const shapes = [
    'BackOff',
    'Failed.*',
    '.*OOM.*',
    '.*Error',
    'a|b',
    'x.y',
    '',
    '.*',
    'node-[0-9]+',
    '.*a\nb.*',
  ];

  it('the string fast paths mean exactly what the anchored regex means (property)', () => {
    const alphabet = fc.constantFrom('a', 'b', 'x', 'y', '\n', '.', 'O', 'M', 'F', 'B', 'E', '-', '1');
    const value = fc.array(alphabet, { maxLength: 12 }).map((chars) => chars.join(''));
    const literal = fc
      .array(fc.constantFrom('a', 'b', 'OOM', 'x', '-', 'Err'), { maxLength: 3 })
      .map((p) => p.join(''));
    const pattern = fc.oneof(
      fc.constantFrom(...shapes),
      literal,
      literal.map((l) => `${l}.*`),
      literal.map((l) => `.*${l}`),
      literal.map((l) => `.*${l}.*`),
    );
    fc.assert(
      fc.property(fc.array(pattern, { minLength: 1, maxLength: 4 }), value, (patterns, v) => {
        const expected = patterns.some((p) => compilePattern(p).test(v));
        assert.equal(
          compilePatternList(patterns)(v),
          expected,
          `${JSON.stringify(patterns)} on ${JSON.stringify(v)}`,
        );
      }),
      { numRuns: 3000 },
    );
  });

  it('.*X.* finds X across lines', () => {
    assert.equal(compilePatternList(['.*OOM.*'])('line one\nOOMKilled\nline three'), true);
  });
});
