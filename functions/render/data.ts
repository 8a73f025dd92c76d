import type { NormalizedEvent } from '../../contracts/index.ts';
import type { Formatters } from './format.ts';
import type {
  DigestPart,
  DigestTemplateData,
  EventFields,
  EventTemplateData,
  SeverityColor,
} from './types.ts';

/** The part of a digest that fits in one message. */
export const ONE_PART: DigestPart = Object.freeze({ index: 1, count: 1, label: '' });

function severity(type: string): SeverityColor {
  return type === 'Warning' ? 'warning' : type === 'Normal' ? 'info' : 'comment';
}

/** An event with the fields templates derive from it (`color`, `object`). */
export function eventFields(event: NormalizedEvent): EventFields {
  return {
    ...event,
    color: severity(event.type),
    object: event.namespace ? `${event.namespace}/${event.name}` : event.name,
  };
}

/** `it` of a single-event template. */
export function eventData(event: NormalizedEvent, fmt: Formatters): EventTemplateData {
  return { ...eventFields(event), fmt };
}

/** What every part of one digest shares; `digestPart` adds the events of a part. */
export type DigestBase = Omit<DigestTemplateData, 'events' | 'offset' | 'part'> & { all: EventFields[] };

/** Computes the shared digest data once per digest, not once per rendered part. */
export function digestBase(
  events: readonly NormalizedEvent[],
  group: Record<string, string>,
  fmt: Formatters,
): DigestBase {
  const all = events.map(eventFields);
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
