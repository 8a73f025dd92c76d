/** A Kubernetes object as JSON, with every timestamp an RFC 3339 string. */
export interface WireObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** The forwarder's checkpoint ConfigMap: string data only. */
export interface ConfigMapObject extends WireObject {
  data?: Record<string, string>;
}

/**
 * A `coordination.k8s.io/v1` Lease. Its times are MicroTime strings (RFC 3339 with six fractional digits,
 * see `microTime`), which the API server refuses in any other precision.
 */
export interface LeaseObject extends WireObject {
  spec?: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

/** Kubernetes' MicroTime format, as the API server reads and writes it: `2026-11-27T10:00:00.123000Z`. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '000Z');
}

/** The collections the forwarder lists and watches. */
export type WatchedResource = 'events.v1' | 'events.events.k8s.io' | 'namespaces';

export interface ListPage {
  items: WireObject[];
  resourceVersion: string;
  continue?: string;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchParams {
  resourceVersion: string;
  timeoutSeconds: number;
}

/** A running watch; `abort` ends it (its `done` callback then fires). */
export interface WatchHandle {
  abort(): void;
}

/**
 * The Kubernetes calls the forwarder makes, and nothing more: list/watch Events and Namespaces (read only, as
 * the ClusterRole allows), and get/create/replace on its own ConfigMap and Lease (as the Role allows).
 * Errors carry the HTTP status in `code` (see `statusOf`).
 */
export interface KubeApi {
  list(resource: WatchedResource, params: { limit: number; continue?: string }): Promise<ListPage>;
  /**
   * Starts a watch with bookmarks. Resolves once the response headers arrived (the watch is established) or the
   * request failed; `done` fires exactly once when the stream ends, with the error if it failed.
   */
  watch(
    resource: WatchedResource,
    params: WatchParams,
    /** `raw` is the object's JSON text as the server sent it, when the stream allows taking it verbatim. */
    onEvent: (type: WatchEventType, object: WireObject, raw?: string) => void,
    done: (err: unknown) => void,
  ): Promise<WatchHandle>;
  readNamespace(name: string): Promise<WireObject | undefined>;
  readConfigMap(namespace: string, name: string): Promise<ConfigMapObject | undefined>;
  createConfigMap(namespace: string, body: ConfigMapObject): Promise<ConfigMapObject>;
  replaceConfigMap(namespace: string, name: string, body: ConfigMapObject): Promise<ConfigMapObject>;
  readLease(namespace: string, name: string): Promise<LeaseObject | undefined>;
  createLease(namespace: string, body: LeaseObject): Promise<LeaseObject>;
  replaceLease(namespace: string, name: string, body: LeaseObject): Promise<LeaseObject>;
}

/** The HTTP status of a failed Kubernetes call (`KubeApiError`'s `code`, or a `statusCode`), if it has one. */
export function statusOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: unknown; statusCode?: unknown };
  if (typeof e.code === 'number') return e.code;
  if (typeof e.statusCode === 'number') return e.statusCode;
  return undefined;
}
