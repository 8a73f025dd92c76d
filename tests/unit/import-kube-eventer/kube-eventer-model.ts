/**
 * A reference model of kube-eventer's webhook sink filters, written from its code (sinks/webhook/webhook.go,
 * common/filters/generic_filter.go) independently of the importer, so the two can be compared on a corpus.
 */

interface CoreEvent {
  type?: string;
  reason?: string;
  involvedObject?: { kind?: string; namespace?: string };
}

/** Would kube-eventer's webhook sink built from `sink` (`webhook:URL`) send `event`? */
export function kubeEventerSends(sink: string, event: CoreEvent): boolean {
  const url = new URL(sink.slice(sink.indexOf(':') + 1));
  const first = (key: string) => (url.searchParams.has(key) ? url.searchParams.getAll(key)[0]! : undefined);
  // GetValues: the first occurrence split on commas; an empty value gives no keys, so the filter matches nothing.
  const values = (key: string) => {
    const value = first(key);
    return value === undefined ? undefined : value === '' ? [] : value.split(',');
  };
  // Every generic filter rejects an event whose field is empty before comparing.
  const exact = (field: string | undefined, keys: string[] | undefined) =>
    keys === undefined || (!!field && keys.includes(field));

  const level = first('level');
  if (level !== undefined) {
    const levels = level === 'Normal' ? ['Normal', 'Warning'] : ['Warning'];
    if (!exact(event.type, levels)) return false;
  }
  if (!exact(event.involvedObject?.namespace, values('namespaces'))) return false;
  if (!exact(event.involvedObject?.kind, values('kinds'))) return false;
  const reasons = values('reason');
  if (reasons !== undefined) {
    if (!event.reason) return false;
    // regexp.Match: unanchored; an invalid pattern never matches.
    if (!reasons.some((pattern) => matches(pattern, event.reason!))) return false;
  }
  return true;
}

function matches(pattern: string, value: string): boolean {
  try {
    return new RegExp(pattern).test(value);
  } catch {
    return false;
  }
}
