import { PoisonMessageError, childPath, describe, isPlainObject, quote } from './envelope.ts';
import type { EnvelopeV1 } from './envelope.ts';
import type { CoreV1Event, EventsV1Event, KubeEvent } from './kube-event.ts';

/**
 * Contract 2: one shape for both Event APIs. This is what rules match on and templates render.
 * Timestamps are RFC 3339 strings (or null when the event carries none at all).
 */
export interface NormalizedEvent {
  /** `Normal` or `Warning` (other values pass through as sent). */
  type: string;
  reason: string;
  /** core/v1 `message` or events.k8s.io/v1 `note`. */
  message: string;
  /** The involved object (`regarding` in events.k8s.io/v1). */
  kind: string;
  /** `""` for cluster-scoped objects such as Nodes. */
  namespace: string;
  name: string;
  fieldPath: string;
  component: string;
  host: string;
  count: number;
  firstSeen: string | null;
  lastSeen: string | null;
  uid: string;
  eventName: string;
  eventNamespace: string;
  cluster: string;
  watchType: 'ADDED' | 'MODIFIED';
  /** Which Event API the event came from. */
  api: 'v1' | 'events.k8s.io/v1';
  namespaceLabels: Record<string, string>;
  namespaceAnnotations: Record<string, string>;
  /** The original Event object, for kube-eventer-style templates (`it.raw.involvedObject.name`). */
  raw: KubeEvent;
}

const EMPTY: Record<string, string> = Object.freeze({}) as Record<string, string>;

/**
 * What the forwarder needs to select, de-duplicate and checkpoint an event, read exactly as `normalizeEvent`
 * reads it, so both sides agree on what "count" and "last seen" mean for both Event APIs.
 */
export interface EventFacts {
  uid: string;
  count: number;
  lastSeen: string | null;
  type: string;
  /** The involved object's namespace (`""` when cluster-scoped). */
  namespace: string;
}

/**
 * Reads an Event's facts without normalizing the rest of it. Throws `PoisonMessageError` when one of the fields
 * it reads has the wrong type.
 */
export function eventFacts(event: KubeEvent): EventFacts {
  return readFacts(event as Record<string, unknown>).facts;
}

/** The facts and the parts of the Event they were read from, which `normalizeEvent` reads further. */
function readFacts(raw: Record<string, unknown>) {
  const api = eventApi(raw);
  const meta = optionalObject(raw, 'metadata', '$.event');
  const isV1 = api === 'events.k8s.io/v1';
  const ref = optionalObject(raw, isV1 ? 'regarding' : 'involvedObject', '$.event');
  const refPath = isV1 ? '$.event.regarding' : '$.event.involvedObject';
  const series = optionalObject(raw, 'series', '$.event');
  const eventName = optionalString(meta, 'name', '$.event.metadata');
  const eventNamespace = optionalString(meta, 'namespace', '$.event.metadata');
  const firstSeen = firstTimestamp(raw, isV1, meta);
  const facts: EventFacts = {
    uid: optionalString(meta, 'uid', '$.event.metadata') || `${eventNamespace}/${eventName}`,
    count: occurrenceCount(raw, series, isV1),
    lastSeen:
      optionalTime(raw, isV1 ? 'deprecatedLastTimestamp' : 'lastTimestamp') ??
      optionalTime(series, 'lastObservedTime', '$.event.series') ??
      optionalTime(raw, 'eventTime') ??
      firstSeen,
    type: optionalString(raw, 'type', '$.event') || 'Normal',
    namespace: optionalString(ref, 'namespace', refPath),
  };
  return { facts, api, isV1, ref, refPath, firstSeen, eventName, eventNamespace };
}

/**
 * Normalizes the event inside an envelope. Every field is type-checked, because a queue message is untrusted
 * input: a wrong type is a poison message with a JSON path, never a crash further down the pipeline.
 */
export function normalizeEvent(envelope: EnvelopeV1): NormalizedEvent {
  const raw = envelope.event as Record<string, unknown>;
  const { facts, api, isV1, ref, refPath, firstSeen, eventName, eventNamespace } = readFacts(raw);
  const source = optionalObject(raw, isV1 ? 'deprecatedSource' : 'source', '$.event');
  const namespace = envelope.namespace;
  return {
    type: facts.type,
    reason: optionalString(raw, 'reason', '$.event'),
    message: optionalString(raw, isV1 ? 'note' : 'message', '$.event'),
    kind: optionalString(ref, 'kind', refPath),
    namespace: facts.namespace,
    name: optionalString(ref, 'name', refPath),
    fieldPath: optionalString(ref, 'fieldPath', refPath),
    component:
      optionalString(source, 'component', '$.event.source') ||
      optionalString(raw, isV1 ? 'reportingController' : 'reportingComponent', '$.event'),
    host:
      optionalString(source, 'host', '$.event.source') || optionalString(raw, 'reportingInstance', '$.event'),
    count: facts.count,
    firstSeen,
    lastSeen: facts.lastSeen,
    uid: facts.uid,
    eventName,
    eventNamespace,
    cluster: envelope.cluster,
    watchType: envelope.watchType,
    api,
    namespaceLabels: stringMap(namespace?.labels, '$.namespace.labels'),
    namespaceAnnotations: stringMap(namespace?.annotations, '$.namespace.annotations'),
    raw: envelope.event,
  };
}

/** Tells the two Event APIs apart; an object without `apiVersion` is judged by its fields. */
export function eventApi(raw: Record<string, unknown>): NormalizedEvent['api'] {
  const apiVersion = raw.apiVersion;
  if (apiVersion === 'v1') return 'v1';
  if (apiVersion === 'events.k8s.io/v1' || apiVersion === 'events.k8s.io/v1beta1') return 'events.k8s.io/v1';
  if (apiVersion !== undefined) {
    throw new PoisonMessageError(
      `unsupported apiVersion ${quote(apiVersion)} (expected "v1" or "events.k8s.io/v1")`,
      '$.event.apiVersion',
    );
  }
  return 'regarding' in raw || 'note' in raw ? 'events.k8s.io/v1' : 'v1';
}

function firstTimestamp(
  raw: Record<string, unknown>,
  isV1: boolean,
  meta: Record<string, unknown>,
): string | null {
  return (
    optionalTime(raw, isV1 ? 'deprecatedFirstTimestamp' : 'firstTimestamp') ??
    optionalTime(raw, 'eventTime') ??
    optionalTime(meta, 'creationTimestamp', '$.event.metadata')
  );
}

function occurrenceCount(
  raw: Record<string, unknown>,
  series: Record<string, unknown>,
  isV1: boolean,
): number {
  const direct = optionalCount(raw, isV1 ? 'deprecatedCount' : 'count', '$.event');
  const fromSeries = optionalCount(series, 'count', '$.event.series');
  // A series count is the newer, authoritative counter when both are set (kubelet dedup writes series).
  return Math.max(fromSeries ?? 0, direct ?? 0) || 1;
}

function optionalObject(obj: Record<string, unknown>, key: string, path: string): Record<string, unknown> {
  const value = obj[key];
  if (value === undefined || value === null) return EMPTY;
  if (!isPlainObject(value))
    throw new PoisonMessageError(`expected an object, got ${describe(value)}`, `${path}.${key}`);
  return value;
}

function optionalString(obj: Record<string, unknown>, key: string, path: string): string {
  const value = obj[key];
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return '';
  throw new PoisonMessageError(`expected a string, got ${describe(value)}`, `${path}.${key}`);
}

function optionalCount(obj: Record<string, unknown>, key: string, path: string): number | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
  throw new PoisonMessageError(`expected a non-negative integer, got ${quote(value)}`, `${path}.${key}`);
}

// The form Kubernetes writes (RFC 3339 in UTC, any fraction): every string it matches is one `Date.parse` reads, and
// testing it costs a fraction of a parse, which was a fifth of normalizing an event. Other forms are parsed.
const KUBERNETES_TIME =
  /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,9})?Z$/;

function optionalTime(obj: Record<string, unknown>, key: string, path = '$.event'): string | null {
  const value = obj[key];
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string' || (!KUBERNETES_TIME.test(value) && Number.isNaN(Date.parse(value)))) {
    throw new PoisonMessageError(`expected an RFC 3339 timestamp, got ${quote(value)}`, `${path}.${key}`);
  }
  return value;
}

function stringMap(value: unknown, path: string): Record<string, string> {
  if (value === undefined || value === null) return EMPTY;
  if (!isPlainObject(value)) throw new PoisonMessageError(`expected an object, got ${describe(value)}`, path);
  for (const key in value) {
    if (typeof value[key] !== 'string') {
      throw new PoisonMessageError(`expected a string, got ${describe(value[key])}`, childPath(path, key));
    }
  }
  return value as Record<string, string>;
}

export type { CoreV1Event, EventsV1Event };
