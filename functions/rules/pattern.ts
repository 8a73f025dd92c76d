/**
 * Patterns are whole-value, case-sensitive regular expressions in which `.` also matches a newline (Contract 3),
 * like Alertmanager's matchers: `Failed` does not match `FailedMount`, `.*OOM.*` finds OOM in a multi-line message.
 */

/** Tests one string value; built once per pattern list at bundle load. */
export type ValuePredicate = (value: string) => boolean;

/** Regex syntax characters: a pattern without any of them can only match itself. */
const REGEX_SYNTAX = /[\\^$.|?*+()[\]{}]/;

/**
 * Compiles one pattern the way matching uses it; throws `SyntaxError` for an invalid one. The pattern must be a
 * regular expression on its own first: `x)|(.*` compiles once wrapped (`^(?:x)|(.*)$`) but escapes the anchors
 * and would match everything.
 */
export function compilePattern(pattern: string): RegExp {
  new RegExp(pattern, 's');
  return new RegExp(`^(?:${pattern})$`, 's');
}

/**
 * Backreferences and named groups: such a pattern is tested on its own, because in a shared alternation a `\1`
 * points at another pattern's group and two `(?<name>…)` of one name do not compile (Node 20).
 */
const GROUP_REFERENCE = /\\[1-9]|\\k<|\(\?<(?![=!])/;

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
 * included): a Set lookup, startsWith, endsWith, includes. Backtracking `^(?:.*OOM.*)$` over a 5 KB stack
 * trace costs more than everything else in routing. The rest become one anchored alternation.
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
    } else if (GROUP_REFERENCE.test(pattern)) {
      const regex = compilePattern(pattern);
      tests.push((value) => regex.test(value));
    } else expressions.push(pattern);
  }
  if (expressions.length > 0) {
    const regex = new RegExp(`^(?:${expressions.map((e) => `(?:${e})`).join('|')})$`, 's');
    tests.push((value) => regex.test(value));
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
