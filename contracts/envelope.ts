import type { ForwardedWatchType, KubeEvent } from './kube-event.ts';

/** Contract 1: the body of every message on the events queue (UTF-8 JSON). */
export interface EnvelopeV1 {
  v: 1;
  cluster: string;
  watchType: ForwardedWatchType;
  /** When the forwarder saw the event (RFC 3339). */
  observedAt: string;
  /** The Event as the API server returned it; timestamps are RFC 3339 strings. */
  event: KubeEvent;
  /** Enrichment from the forwarder's namespace cache; absent for cluster-scoped objects. */
  namespace?: NamespaceInfo;
  /**
   * Set only on a copy the function re-enqueued: the receivers it still owes this event (the others already have
   * it). Absent means every receiver the rules choose.
   */
  owed?: string[];
  /** On a re-enqueued copy: how many deliveries to the owed receivers failed (not counting waits for budget). */
  failures?: number;
}

export interface NamespaceInfo {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export const ENVELOPE_VERSION = 1;

/** Why a queue message cannot be processed; it goes to the DLQ with this reason. */
export class PoisonMessageError extends Error {
  override name = 'PoisonMessageError';
  constructor(
    message: string,
    /** A JSON path into the message body, e.g. `$.event.reason`. */
    readonly path: string,
  ) {
    super(`${path}: ${message}`);
  }
}

/** Builds an envelope; the caller is responsible for string timestamps (see `toWireEvent`). */
export function makeEnvelope(fields: Omit<EnvelopeV1, 'v'>): EnvelopeV1 {
  const envelope: EnvelopeV1 = {
    v: 1,
    cluster: fields.cluster,
    watchType: fields.watchType,
    observedAt: fields.observedAt,
    event: fields.event,
  };
  if (fields.namespace) envelope.namespace = fields.namespace;
  return envelope;
}

/**
 * Checks that a decoded value is an envelope v1 and returns it typed. Only the envelope's own fields are checked
 * here; the event inside is checked by `normalizeEvent`.
 */
export function asEnvelope(value: unknown): EnvelopeV1 {
  if (!isPlainObject(value))
    throw new PoisonMessageError(`expected a JSON object, got ${describe(value)}`, '$');
  if (value.v !== ENVELOPE_VERSION) {
    throw new PoisonMessageError(`unknown envelope version ${quote(value.v)} (expected 1)`, '$.v');
  }
  if (!isPlainObject(value.event))
    throw new PoisonMessageError(`no event (got ${describe(value.event)})`, '$.event');
  if (typeof value.cluster !== 'string') {
    throw new PoisonMessageError(`expected a string, got ${describe(value.cluster)}`, '$.cluster');
  }
  if (value.watchType !== 'ADDED' && value.watchType !== 'MODIFIED') {
    throw new PoisonMessageError(
      `expected "ADDED" or "MODIFIED", got ${quote(value.watchType)}`,
      '$.watchType',
    );
  }
  if (value.observedAt !== undefined && typeof value.observedAt !== 'string') {
    throw new PoisonMessageError(`expected a string, got ${describe(value.observedAt)}`, '$.observedAt');
  }
  if (value.namespace !== undefined && !isPlainObject(value.namespace)) {
    throw new PoisonMessageError(`expected an object, got ${describe(value.namespace)}`, '$.namespace');
  }
  if (
    value.owed !== undefined &&
    !(Array.isArray(value.owed) && value.owed.every((receiver) => typeof receiver === 'string'))
  ) {
    throw new PoisonMessageError(`expected a list of receiver names, got ${describe(value.owed)}`, '$.owed');
  }
  if (
    value.failures !== undefined &&
    !(Number.isInteger(value.failures) && (value.failures as number) >= 0)
  ) {
    throw new PoisonMessageError(`expected a count, got ${quote(value.failures)}`, '$.failures');
  }
  return value as unknown as EnvelopeV1;
}

/** Decodes a queue message body: invalid JSON, an unknown `v` or a missing event throw `PoisonMessageError`. */
export function decodeEnvelope(body: string): EnvelopeV1 {
  return asEnvelope(parseQueueBody(body));
}

/** Parses a queue message body as JSON; invalid JSON throws `PoisonMessageError` at `$`. */
export function parseQueueBody(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch (err) {
    throw new PoisonMessageError(`body is not valid JSON (${(err as Error).message})`, '$');
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A short description of a value's JSON type for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value === undefined) return 'nothing';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

// Longest part of a string value an error message repeats: enough to recognise it, never the megabytes a hostile
// message may carry (the reason goes to logs and to a DLQ message attribute).
const QUOTE_MAX = 64;

/**
 * A value for an error message: a scalar as JSON (a long string cut to its start), anything else by its type.
 * Queue messages are untrusted, so a nested value is never serialized: it could be megabytes, or nested deeper than
 * `JSON.stringify` can recurse (`JSON.parse` accepts any depth, `JSON.stringify` throws a RangeError).
 */
export function quote(value: unknown): string {
  if (typeof value === 'string') {
    if (value.length <= QUOTE_MAX) return JSON.stringify(value);
    return `${JSON.stringify(value.slice(0, QUOTE_MAX))}… (${value.length} characters)`;
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return describe(value);
}

const IDENTIFIER = /^[A-Za-z_$][\w$]{0,63}$/;

/** `path.key`, or `path["key"]` (cut like `quote`) when the key is not a short identifier. */
export function childPath(path: string, key: string): string {
  return IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${quote(key)}]`;
}
