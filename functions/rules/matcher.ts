import type { NormalizedEvent } from '../../contracts/index.ts';
import { compilePatternList } from './pattern.ts';
import type { ValuePredicate } from './pattern.ts';
import type { Matcher } from '../bundle/index.ts';
import { parseDuration } from '../bundle/index.ts';

/** A matcher compiled once at load: a pure predicate over normalized events. */
export type EventPredicate = (event: NormalizedEvent) => boolean;

/** The normalized-event fields matcher pattern lists test. */
export type StringField =
  'namespace' | 'kind' | 'name' | 'reason' | 'message' | 'component' | 'host' | 'cluster';

/**
 * Matcher list fields and the normalized-event field each one tests, in the order a matcher tests them: short
 * values first, the message (often a multi-kilobyte stack trace) last, so it is scanned only for events that
 * passed every other test.
 */
export const PATTERN_FIELDS: ReadonlyArray<readonly [keyof Matcher, StringField]> = [
  ['namespaces', 'namespace'],
  ['kinds', 'kind'],
  ['reasons', 'reason'],
  ['clusters', 'cluster'],
  ['components', 'component'],
  ['hosts', 'host'],
  ['names', 'name'],
  ['messages', 'message'],
];

const WARNING_ONLY = new Set(['Warning']);
const NORMAL_AND_WARNING = new Set(['Normal', 'Warning']);

/**
 * Compiles a matcher: fields are ANDed, list items ORed. The cheapest tests (exact type, count) run first so
 * most non-matching events are rejected before any regex runs.
 */
export function compileMatcher(matcher: Matcher): EventPredicate {
  const tests: EventPredicate[] = [];
  const types = matcherTypes(matcher);
  if (types) tests.push((event) => types.has(event.type));
  const minCount = matcher.minCount;
  if (minCount !== undefined) tests.push((event) => event.count >= minCount);
  if (matcher.persistedFor !== undefined) {
    const persistedMs = parseDuration(matcher.persistedFor)!;
    tests.push((event) => recurringForMs(event) >= persistedMs);
  }
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

/**
 * How long the event has been recurring, from its own timestamps: last seen − first seen (`lastTimestamp` −
 * `firstTimestamp`, or for events.k8s.io/v1 `series.lastObservedTime` − `eventTime`; see `normalizeEvent`).
 * Without a first-seen time nothing says it persisted, so it counts as 0 (never as "forever").
 */
export function recurringForMs(event: Pick<NormalizedEvent, 'firstSeen' | 'lastSeen'>): number {
  if (event.firstSeen === null || event.lastSeen === null) return 0;
  return Math.max(0, Date.parse(event.lastSeen) - Date.parse(event.firstSeen));
}

/** The event types a matcher accepts (`types`, or what `level` stands for); undefined when it does not say. */
export function matcherTypes(matcher: Matcher): ReadonlySet<string> | undefined {
  if (matcher.types) return new Set<string>(matcher.types);
  if (matcher.level === 'Warning') return WARNING_ONLY;
  if (matcher.level === 'Normal') return NORMAL_AND_WARNING;
  return undefined;
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
