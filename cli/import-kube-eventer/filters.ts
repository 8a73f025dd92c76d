import type { Matcher } from '../../functions/bundle/index.ts';
import { escapeRegex, translateReason } from './reason-pattern.ts';
import type { Findings } from './types.ts';

/** The webhook sink's own parameters: kube-eventer strips them from the URL it posts to. */
export const WEBHOOK_PARAMS = new Set([
  'level',
  'namespaces',
  'kinds',
  'reason',
  'method',
  'header',
  'custom_body_configmap',
  'custom_body_configmap_namespace',
]);

/** A webhook sink's filters as a kube-wecom matcher, or why the sink never sent anything. */
export interface FilterMapping {
  match: Matcher;
  /** Reasons the user probably meant to exclude (the `[^X]` misreading); suggested, never applied. */
  suggestedExcludes: string[];
  /** Set when kube-eventer's filters matched no event at all. */
  matchesNothing?: string;
}

/**
 * Maps the webhook sink's `level`, `namespaces`, `kinds` and `reason` parameters with the semantics of
 * kube-eventer's code (`sinks/webhook/webhook.go`, `common/filters`), which differ from its documentation:
 * an absent level means every type, namespaces and kinds are exact names, and only the first occurrence of a
 * repeated parameter counts.
 */
export function mapWebhookFilters(
  query: ReadonlyMap<string, readonly string[]>,
  findings: Findings,
): FilterMapping {
  const match: Matcher = {};
  const suggestedExcludes: string[] = [];
  for (const key of ['level', 'namespaces', 'kinds', 'reason']) {
    const values = query.get(key);
    if (values && values.length > 1) {
      findings.changed.push(
        `${key} is given ${values.length} times; kube-eventer reads only the first (${JSON.stringify(values[0])}) and so does the import` +
          (key === 'reason' ? ` — to OR several patterns write reason=${values.join(',')}` : ''),
      );
    }
  }

  const level = query.get('level')?.[0];
  if (level === undefined) {
    findings.changed.push(
      'no level: kube-eventer’s webhook sink then forwards every event type (its docs say the default is Warning, its code installs no filter); imported as the code behaves — add "level": "Warning" to the match to keep only warnings',
    );
  } else if (level === 'Warning' || level === 'Normal') {
    match.level = level;
    findings.mapped.push(
      `level=${level} → match.level ${JSON.stringify(level)} (${level === 'Normal' ? 'Normal and Warning' : 'Warning only'})`,
    );
  } else {
    match.level = 'Warning';
    findings.changed.push(
      `level=${JSON.stringify(level)} is neither Normal nor Warning; kube-eventer then keeps Warning only, and so does the import`,
    );
  }

  for (const [key, field] of [
    ['namespaces', 'namespaces'],
    ['kinds', 'kinds'],
  ] as const) {
    const names = exactNames(query, key, findings);
    if (names === undefined) continue;
    if (names.length === 0)
      return {
        match,
        suggestedExcludes,
        matchesNothing: `${key} is empty, and kube-eventer’s filter then matches no event`,
      };
    match[field] = names.map(escapeRegex);
    findings.mapped.push(
      `${key}=${names.join(',')} → match.${field} (exact names, as kube-eventer compares them)`,
    );
    if (key === 'namespaces') {
      findings.changed.push(
        'namespaces drops cluster-scoped events (Nodes, PersistentVolumes…: their namespace is empty) — kube-eventer does the same (its issue #238), so the import keeps it; add "" to match.namespaces to receive them',
      );
    }
  }

  const reasons = query.get('reason')?.[0];
  if (reasons !== undefined) {
    if (reasons === '')
      return {
        match,
        suggestedExcludes,
        matchesNothing: 'reason is empty, and kube-eventer’s filter then matches no event',
      };
    const patterns: string[] = [];
    for (const source of reasons.split(',')) {
      const translated = translateReason(source);
      findings.changed.push(...translated.notes);
      findings.human.push(...translated.human);
      if (translated.probablyMeantExclude) suggestedExcludes.push(translated.probablyMeantExclude);
      if (translated.pattern === undefined) continue;
      patterns.push(translated.pattern);
      findings.mapped.push(
        `reason ${JSON.stringify(source)} → match.reasons ${JSON.stringify(translated.pattern)} (kube-eventer matches anywhere in the reason; kube-wecom patterns match the whole reason)`,
      );
    }
    if (patterns.length === 0)
      return {
        match,
        suggestedExcludes,
        matchesNothing: 'none of the reason patterns compiles in Go, so kube-eventer matched no event',
      };
    match.reasons = patterns;
  }
  return { match, suggestedExcludes };
}

/** The first occurrence split on commas, as `filters.GetValues` does; undefined when the parameter is absent. */
function exactNames(
  query: ReadonlyMap<string, readonly string[]>,
  key: string,
  findings: Findings,
): string[] | undefined {
  const first = query.get(key)?.[0];
  if (first === undefined) return undefined;
  if (first === '') return [];
  const names: string[] = [];
  for (const name of first.split(',')) {
    // An empty name never matches: kube-eventer's filter rejects events whose field is empty before comparing.
    if (name === '') continue;
    if (name.trim() !== name)
      findings.human.push(
        `${key}: ${JSON.stringify(name)} has spaces around it; kube-eventer compares exactly, so it never matched — remove the spaces if you meant ${JSON.stringify(name.trim())}`,
      );
    if (/[\\^$.|?*+()[\]{}]/.test(name)) {
      findings.changed.push(
        `${key}: ${JSON.stringify(name)} looks like a pattern, but kube-eventer compares ${key} exactly (its docs claim regex support); imported as an exact name — write the pattern in match.${key} if you meant one`,
      );
    }
    names.push(name);
  }
  return names;
}
