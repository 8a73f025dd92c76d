/**
 * Patterns are whole-value, case-sensitive regular expressions in which `.` also matches a newline (Contract 3),
 * like Alertmanager's matchers: `Failed` does not match `FailedMount`, `.*OOM.*` finds OOM in a multi-line message.
 */

/** Tests one string value; built once per pattern list at bundle load. */
export type ValuePredicate = (value: string) => boolean;

/** Regex syntax characters: a pattern without any of them can only match itself. */
const REGEX_SYNTAX = /[\\^$.|?*+()[\]{}]/;

/** Compiles one pattern the way matching uses it; throws `SyntaxError` for an invalid one. */
export function compilePattern(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`, 's');
}

/**
 * Compiles a pattern list into one predicate. Literal patterns (the common case: `Warning`, `kube-system`)
 * become a Set lookup; the rest become a single anchored alternation, so a list costs one test, not one per item.
 */
export function compilePatternList(patterns: readonly string[]): ValuePredicate {
  const literals = new Set<string>();
  const expressions: string[] = [];
  for (const pattern of patterns) {
    if (REGEX_SYNTAX.test(pattern)) expressions.push(pattern);
    else literals.add(pattern);
  }
  if (expressions.length === 0) {
    if (literals.size === 1) {
      const [only] = literals;
      return (value) => value === only;
    }
    return (value) => literals.has(value);
  }
  const regex = new RegExp(`^(?:${expressions.map((e) => `(?:${e})`).join('|')})$`, 's');
  if (literals.size === 0) return (value) => regex.test(value);
  return (value) => literals.has(value) || regex.test(value);
}
