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
  events: readonly NormalizedEvent[];
  /** Template data of each event, made when a part first shows it (a storm's digest shows a few of its events). */
  data: Array<EventTemplateData | undefined>;
};

/** Computes the shared digest data once per digest, not once per rendered part. */
export function digestBase(
  events: readonly NormalizedEvent[],
  group: Record<string, string>,
  fmt: Formatters,
): DigestBase {
  let warnings = 0;
  const clusters = new Set<string>();
  for (const event of events) {
    if (event.type === 'Warning') warnings++;
    if (event.cluster) clusters.add(event.cluster);
  }
  return {
    events,
    data: new Array<EventTemplateData | undefined>(events.length),
    total: events.length,
    group,
    cluster: [...clusters].join(', '),
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
  const events: EventTemplateData[] = [];
  for (let i = start; i < end; i++) events.push((base.data[i] ??= eventData(base.events[i]!, base.fmt)));
  return {
    events,
    offset: start,
    total: base.total,
    group: base.group,
    cluster: base.cluster,
    warnings: base.warnings,
    color: base.color,
    part,
    fmt: base.fmt,
  };
}
