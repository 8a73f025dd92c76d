import { RE2JS } from 're2js';

/**
 * Patterns are whole-value, case-sensitive regular expressions in which `.` also matches a newline (Contract 3),
 * like Alertmanager's matchers: `Failed` does not match `FailedMount`, `.*OOM.*` finds OOM in a multi-line message.
 *
 * They run on RE2 (`re2js`, pure JavaScript), not on V8's backtracking engine: a bundle pattern such as `(a+)+$`
 * or `(.*a){20}` meets untrusted event text, and on a backtracking engine 33 characters of it stalled a whole
 * batch for 50 s. RE2 matches in time linear in the text whatever the pattern, and refuses what it cannot do in
 * linear time: backreferences and lookaround.
 */

/** Tests one string value; built once per pattern list at bundle load. */
export type ValuePredicate = (value: string) => boolean;

/** A pattern RE2 refuses; `message` says why in the bundle author's terms. */
export class PatternSyntaxError extends Error {
  override name = 'PatternSyntaxError';
}

/** Regex syntax characters: a pattern without any of them can only match itself. */
const REGEX_SYNTAX = /[\\^$.|?*+()[\]{}]/;

const BACKREFERENCE = /\\[1-9]|\\k</;
const LOOKAROUND = /\(\?<?[=!]/;

/** re2js reports the expression it parsed, which includes the `(?s)` it adds for the DOTALL flag. */
const DOTALL_PREFIX = /`\(\?s\)/g;

/** Compiles an expression with the matching semantics of Contract 3 (the anchors come from `testExact`). */
function compileRe2(expression: string): RE2JS {
  return RE2JS.compile(expression, RE2JS.DOTALL);
}

/**
 * Compiles one pattern the way matching uses it; throws `PatternSyntaxError` for one RE2 refuses. The pattern
 * must be a regular expression on its own: `x)|(.*` would compile once wrapped in a group and escape it.
 */
export function compilePattern(pattern: string): ValuePredicate {
  let regex: RE2JS;
  try {
    regex = compileRe2(pattern);
  } catch (err) {
    if (BACKREFERENCE.test(pattern)) {
      throw new PatternSyntaxError(
        'backreferences (\\1, \\k<name>) cannot match in linear time; RE2 syntax has none',
      );
    }
    if (LOOKAROUND.test(pattern)) {
      throw new PatternSyntaxError(
        'lookaround ((?=, (?!, (?<=, (?<!) cannot match in linear time; RE2 syntax has none',
      );
    }
    throw new PatternSyntaxError((err as Error).message.replace(DOTALL_PREFIX, '`'));
  }
  return (value) => regex.testExact(value);
}

/**
 * Named groups: such a pattern is compiled on its own, because two `(?<name>…)` of one name in a shared
 * alternation do not compile.
 */
const NAMED_GROUP = /\(\?P?<(?![=!])/;

/**
 * The only values a pattern list can match, when every pattern in it is a literal (no regex syntax); else
 * undefined. Routing uses it to index routes, so an event is never tested against routes it cannot match.
 */
export function exactValues(patterns: readonly string[]): ReadonlySet<string> | undefined {
  return patterns.every((pattern) => !REGEX_SYNTAX.test(pattern)) ? new Set(patterns) : undefined;
}

/** Regex syntax other than the `.*` the simple shapes below are made of. */
const LITERAL = /^[^\\^$.|?*+()[\]{}]*$/;

/**
 * Compiles a pattern list into one predicate. The shapes people write most (`Warning`, `payments-.*`,
 * `.*OOM.*`) become string operations with exactly the regex's meaning (`.` matches anything, newlines
 * included): a Set lookup, startsWith, endsWith, includes. They are also several times faster than any regex
 * engine over a 5 KB stack trace. The rest become one RE2 alternation, compiled once.
 */
export function compilePatternList(patterns: readonly string[]): ValuePredicate {
  const exact = new Set<string>();
  const tests: ValuePredicate[] = [];
  const expressions: string[] = [];
  for (const pattern of patterns) {
    if (!REGEX_SYNTAX.test(pattern)) exact.add(pattern);
    else if (
      pattern.startsWith('.*') &&
      pattern.endsWith('.*') &&
      pattern.length >= 4 &&
      LITERAL.test(pattern.slice(2, -2))
    ) {
      const part = pattern.slice(2, -2);
      tests.push((value) => value.includes(part));
    } else if (pattern.endsWith('.*') && LITERAL.test(pattern.slice(0, -2))) {
      const prefix = pattern.slice(0, -2);
      tests.push((value) => value.startsWith(prefix));
    } else if (pattern.startsWith('.*') && LITERAL.test(pattern.slice(2))) {
      const suffix = pattern.slice(2);
      tests.push((value) => value.endsWith(suffix));
    } else if (NAMED_GROUP.test(pattern)) tests.push(compilePattern(pattern));
    else expressions.push(pattern);
  }
  if (expressions.length > 0) {
    const regex = compileRe2(expressions.map((e) => `(?:${e})`).join('|'));
    tests.push((value) => regex.testExact(value));
  }
  if (exact.size === 1 && tests.length === 0) {
    const [only] = exact;
    return (value) => value === only;
  }
  if (exact.size > 0) tests.unshift((value) => exact.has(value));
  if (tests.length === 1) return tests[0]!;
  return (value) => {
    for (const test of tests) if (test(value)) return true;
    return false;
  };
}
