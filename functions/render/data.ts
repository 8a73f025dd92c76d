import type { NormalizedEvent } from '../../contracts/index.ts';
import type { Formatters } from './format.ts';
import type { DigestPart, DigestTemplateData, EventTemplateData, SeverityColor } from './types.ts';

/** The part of a digest that fits in one message. */
export const ONE_PART: DigestPart = Object.freeze({ index: 1, count: 1, label: '' });

function severity(type: string): SeverityColor {
  return type === 'Warning' ? 'warning' : type === 'Normal' ? 'info' : 'comment';
}

/**
 * `it` of a single-event template, and each of a digest's `it.events`. Written as one literal rather than a
 * spread: it is built for every rendered message, and a literal gives V8 one fixed object shape.
 */
export function eventData(e: NormalizedEvent, fmt: Formatters): EventTemplateData {
  return {
    type: e.type,
    reason: e.reason,
    message: e.message,
    kind: e.kind,
    namespace: e.namespace,
    name: e.name,
    fieldPath: e.fieldPath,
    component: e.component,
    host: e.host,
    count: e.count,
    firstSeen: e.firstSeen,
    lastSeen: e.lastSeen,
    uid: e.uid,
    eventName: e.eventName,
    eventNamespace: e.eventNamespace,
    cluster: e.cluster,
    watchType: e.watchType,
    api: e.api,
    namespaceLabels: e.namespaceLabels,
    namespaceAnnotations: e.namespaceAnnotations,
    raw: e.raw,
    color: severity(e.type),
    object: e.namespace ? `${e.namespace}/${e.name}` : e.name,
    fmt,
  };
}

/** What every part of one digest shares; `digestPart` adds the events of a part. */
export type DigestBase = Omit<DigestTemplateData, 'events' | 'offset' | 'part'> & {
  all: EventTemplateData[];
};

/** Computes the shared digest data once per digest, not once per rendered part. */
export function digestBase(
  events: readonly NormalizedEvent[],
  group: Record<string, string>,
  fmt: Formatters,
): DigestBase {
  const all = events.map((event) => eventData(event, fmt));
  const warnings = all.filter((e) => e.type === 'Warning').length;
  return {
    all,
    total: all.length,
    group,
    cluster: [...new Set(all.map((e) => e.cluster).filter(Boolean))].join(', '),
    warnings,
    color: warnings > 0 ? 'warning' : 'info',
    fmt,
  };
}

/** `it` of a digest template for the events `start` to `end` (exclusive). */
export function digestPart(
  base: DigestBase,
  start: number,
  end: number,
  part: DigestPart,
): DigestTemplateData {
  const { all, ...shared } = base;
  return { ...shared, events: all.slice(start, end), offset: start, part };
}
