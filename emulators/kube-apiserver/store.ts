import { randomUUID } from 'node:crypto';

/** A Kubernetes object as the fake stores it: plain JSON with `metadata`. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name?: string;
    generateName?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    creationTimestamp?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** One change in the store's history, as a watch replays it. */
export interface Change {
  rv: number;
  resource: string;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: KubeObject;
}

/** Why a write was refused; the server turns it into a `Status` with the same code and reason. */
export class StoreError extends Error {
  override name = 'StoreError';
  constructor(
    readonly code: 400 | 404 | 409 | 422,
    readonly reason: 'BadRequest' | 'NotFound' | 'AlreadyExists' | 'Conflict' | 'Invalid',
    message: string,
  ) {
    super(message);
  }
}

/**
 * An etcd-like store: one global revision counter shared by every resource, a change history that watches
 * replay from any revision not yet compacted, and optimistic concurrency on `metadata.resourceVersion`.
 */
export class Store {
  private revision = 1;
  private compactedThrough = 0;
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private readonly history: Change[] = [];
  private readonly listeners = new Set<(change: Change) => void>();

  constructor(private readonly now: () => Date) {}

  /** The current revision, as list responses report it. */
  get resourceVersion(): number {
    return this.revision;
  }

  /** Revisions at or below this one can no longer be watched from (410 Gone). */
  get compacted(): number {
    return this.compactedThrough;
  }

  list(resource: string, namespace?: string): KubeObject[] {
    const all = [...(this.objects.get(resource)?.values() ?? [])];
    return all
      .filter((o) => namespace === undefined || o.metadata.namespace === namespace)
      .sort((a, b) => key(a).localeCompare(key(b)));
  }

  get(resource: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.objects.get(resource)?.get(`${namespace ?? ''}/${name}`);
  }

  create(resource: string, namespace: string | undefined, input: KubeObject): KubeObject {
    const metadata = { ...input.metadata };
    if (!metadata.name && metadata.generateName)
      metadata.name = metadata.generateName + randomUUID().slice(0, 5);
    if (!metadata.name)
      throw new StoreError(422, 'Invalid', 'metadata.name: Required value: name or generateName is required');
    if (namespace !== undefined) metadata.namespace = namespace;
    if (this.get(resource, namespace, metadata.name)) {
      throw new StoreError(409, 'AlreadyExists', `${resource} "${metadata.name}" already exists`);
    }
    const object = this.stamp({
      ...input,
      metadata: { ...metadata, uid: randomUUID(), creationTimestamp: rfc3339(this.now()) },
    });
    this.bucket(resource).set(key(object), object);
    this.record(resource, 'ADDED', object);
    return object;
  }

  /** Replaces an object; a `resourceVersion` in the body must match the stored one (optimistic concurrency). */
  update(resource: string, namespace: string | undefined, name: string, input: KubeObject): KubeObject {
    const current = this.get(resource, namespace, name);
    if (!current) throw new StoreError(404, 'NotFound', `${resource} "${name}" not found`);
    const expected = input.metadata.resourceVersion;
    if (expected && expected !== current.metadata.resourceVersion) {
      throw new StoreError(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${resource} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      );
    }
    const object = this.stamp({
      ...input,
      metadata: {
        ...input.metadata,
        name,
        namespace: current.metadata.namespace,
        uid: current.metadata.uid,
        creationTimestamp: current.metadata.creationTimestamp,
      },
    });
    if (namespace === undefined) delete object.metadata.namespace;
    this.bucket(resource).set(key(object), object);
    this.record(resource, 'MODIFIED', object);
    return object;
  }

  delete(resource: string, namespace: string | undefined, name: string): KubeObject {
    const current = this.get(resource, namespace, name);
    if (!current) throw new StoreError(404, 'NotFound', `${resource} "${name}" not found`);
    this.bucket(resource).delete(key(current));
    const object = this.stamp(structuredClone(current));
    this.record(resource, 'DELETED', object);
    return object;
  }

  /** Changes after `rv` for one resource, or `undefined` when `rv` is older than the compaction point. */
  changesSince(resource: string, rv: number): Change[] | undefined {
    if (rv < this.compactedThrough) return undefined;
    return this.history.filter((c) => c.rv > rv && c.resource === resource);
  }

  /** Forgets history up to `rv` (default: everything so far), as etcd compaction does. */
  compact(rv = this.revision): void {
    this.compactedThrough = Math.max(this.compactedThrough, rv);
    while (this.history.length > 0 && this.history[0]!.rv <= rv) this.history.shift();
  }

  subscribe(listener: (change: Change) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private stamp(object: KubeObject): KubeObject {
    this.revision++;
    object.metadata.resourceVersion = String(this.revision);
    return object;
  }

  private record(resource: string, type: Change['type'], object: KubeObject): void {
    const change: Change = { rv: this.revision, resource, type, object };
    this.history.push(change);
    for (const listener of this.listeners) listener(change);
  }

  private bucket(resource: string): Map<string, KubeObject> {
    let bucket = this.objects.get(resource);
    if (!bucket) this.objects.set(resource, (bucket = new Map()));
    return bucket;
  }
}

function key(o: KubeObject): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
}

/** Kubernetes' `metav1.Time` wire format: RFC 3339 with whole seconds. */
export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
