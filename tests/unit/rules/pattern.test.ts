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
        const expected = patterns.some((p) => compilePattern(p)(v));
        assert.equal(
          compilePatternList(patterns)(v),
          expected,
          `${JSON.stringify(patterns)} on ${JSON.stringify(v)}`,
        );
      }),
      { numRuns: 3000 },
    );
  });

  // Before re2js, V8 backtracked exponentially on these: (a+)+$ took 3.6 s on 25 characters, doubling with each
  // one more, and (.*a){20} 105 s on 30. RE2 takes about a millisecond; the bound is thousands of times that
  // (a timeout option cannot interrupt a synchronous match).
  it('matches patterns that backtrack catastrophically on V8 in linear time', () => {
    for (const [pattern, value] of [
      ['(a+)+$', `${'a'.repeat(29)}!`],
      ['(.*a){20}', `${'a'.repeat(29)}!`],
      ['(a+)+$', `${'a'.repeat(100_000)}!`],
    ] as const) {
      const started = performance.now();
      assert.equal(compilePatternList([pattern])(value), false);
      const elapsedMs = performance.now() - started;
      assert.ok(
        elapsedMs < 5_000,
        `${pattern} on ${value.length} characters took ${Math.round(elapsedMs)} ms`,
      );
    }
  });

  it('keeps the semantics: anchored whole value, dot matches newline, case-sensitive', () => {
    const cases: Array<[string, string, boolean]> = [
      ['Fail(ed|ing)', 'Failed', true],
      ['Fail(ed|ing)', 'FailedMount', false],
      ['Fail(ed|ing)', 'PodFailed', false],
      ['a.b', 'a\nb', true],
      ['back[o]ff', 'BackOff', false],
      ['node-[0-9]+', 'node-12', true],
    ];
    for (const [pattern, value, expected] of cases) {
      assert.equal(compilePatternList([pattern])(value), expected, `${pattern} on ${JSON.stringify(value)}`);
      assert.equal(compilePattern(pattern)(value), expected, `${pattern} on ${JSON.stringify(value)}`);
    }
  });

  it('compiles two patterns with the same named group in one list', () => {
    const test = compilePatternList(['(?<n>a)x', '(?<n>b)x']);
    assert.equal(test('bx'), true);
    assert.equal(test('cx'), false);
  });

  it('.*X.* finds X across lines', () => {
    assert.equal(compilePatternList(['.*OOM.*'])('line one\nOOMKilled\nline three'), true);
  });
});
