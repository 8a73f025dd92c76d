import type { WireObject } from './types.ts';

/**
 * client-node turns list items into model instances with `Date` timestamps, while watch events arrive as plain
 * JSON with strings. Everything downstream (envelopes, dedup) must see one shape: plain JSON with RFC 3339
 * strings, as the API server sent it.
 */
export function toWire(item: object): WireObject {
  return JSON.parse(
    JSON.stringify(item, function (this: Record<string, unknown>, key: string, value: unknown) {
      const raw = this[key];
      return raw instanceof Date ? rfc3339(raw) : value;
    }),
  ) as WireObject;
}

/** Kubernetes' `metav1.Time` format: whole seconds unless the value has a fraction (MicroTime keeps it). */
export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.000Z$/, 'Z');
}
