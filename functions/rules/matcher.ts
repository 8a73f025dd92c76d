import type { NormalizedEvent } from '../../contracts/index.ts';
import { compilePatternList } from './pattern.ts';
import type { ValuePredicate } from './pattern.ts';
import type { Matcher } from './schema.ts';

/** A matcher compiled once at load: a pure predicate over normalized events. */
export type EventPredicate = (event: NormalizedEvent) => boolean;

type StringField = 'namespace' | 'kind' | 'name' | 'reason' | 'message' | 'component' | 'host' | 'cluster';

/** Matcher list fields and the normalized-event field each one tests. */
const PATTERN_FIELDS: ReadonlyArray<readonly [keyof Matcher, StringField]> = [
  ['namespaces', 'namespace'],
  ['kinds', 'kind'],
  ['names', 'name'],
  ['reasons', 'reason'],
  ['messages', 'message'],
  ['components', 'component'],
  ['hosts', 'host'],
  ['clusters', 'cluster'],
];

const WARNING_ONLY = new Set(['Warning']);
const NORMAL_AND_WARNING = new Set(['Normal', 'Warning']);

/**
 * Compiles a matcher: fields are ANDed, list items ORed. The cheapest tests (exact type, count) run first so
 * most non-matching events are rejected before any regex runs.
 */
export function compileMatcher(matcher: Matcher): EventPredicate {
  const tests: EventPredicate[] = [];
  const types = matcher.types
    ? new Set<string>(matcher.types)
    : matcher.level === 'Warning'
      ? WARNING_ONLY
      : matcher.level === 'Normal'
        ? NORMAL_AND_WARNING
        : undefined;
  if (types) tests.push((event) => types.has(event.type));
  const minCount = matcher.minCount;
  if (minCount !== undefined) tests.push((event) => event.count >= minCount);
  for (const [key, field] of PATTERN_FIELDS) {
    const patterns = matcher[key] as string[] | undefined;
    if (!patterns) continue;
    const test = compilePatternList(patterns);
    tests.push((event) => test(event[field]));
  }
  if (matcher.namespaceLabels) {
    const labelTests: Array<readonly [string, ValuePredicate]> = Object.entries(matcher.namespaceLabels).map(
      ([label, pattern]) => [label, compilePatternList([pattern])] as const,
    );
    tests.push((event) => {
      for (const [label, test] of labelTests) {
        const value = event.namespaceLabels[label];
        if (value === undefined || !test(value)) return false;
      }
      return true;
    });
  }
  return allOf(tests);
}

/** Compiles `exclude`: one matcher or a list, any of which excludes. */
export function compileAnyMatcher(matchers: Matcher | Matcher[] | undefined): EventPredicate | undefined {
  if (matchers === undefined) return undefined;
  const list = (Array.isArray(matchers) ? matchers : [matchers]).map(compileMatcher);
  if (list.length === 1) return list[0];
  return (event) => {
    for (const test of list) if (test(event)) return true;
    return false;
  };
}

function allOf(tests: EventPredicate[]): EventPredicate {
  switch (tests.length) {
    case 0:
      return () => true;
    case 1:
      return tests[0]!;
    case 2: {
      const [a, b] = tests as [EventPredicate, EventPredicate];
      return (event) => a(event) && b(event);
    }
    default:
      return (event) => {
        for (const test of tests) if (!test(event)) return false;
        return true;
      };
  }
}
