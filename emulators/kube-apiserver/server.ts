import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { toCoreV1, toEventsV1 } from './convert.ts';
import {
  RESOURCES,
  VERSION_INFO,
  apiGroupList,
  apiResourceList,
  apiVersions,
  groupVersion,
  openApiDocument,
  openApiIndex,
} from './discovery.ts';
import type { ResourceDef } from './discovery.ts';
import { Store, StoreError, rfc3339 } from './store.ts';
import type { Change, KubeObject } from './store.ts';

/** Options for {@link startFakeApiServer}. */
export interface FakeApiServerOptions {
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Clock for creation timestamps and event defaults. */
  now?: () => Date;
  /** Send a BOOKMARK to every watch that asked for them this often (ms); off by default, see `bookmark()`. */
  bookmarkIntervalMs?: number;
}

/** One request the fake answered, for assertions on what a client asked for. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
}

/** Fields a test sets when it creates an Event; everything else gets a realistic default. */
export interface EventSpec {
  namespace?: string;
  name?: string;
  type?: 'Normal' | 'Warning';
  reason?: string;
  message?: string;
  count?: number;
  firstTimestamp?: string;
  lastTimestamp?: string;
  involvedObject?: Record<string, unknown>;
  source?: { component?: string; host?: string };
  [field: string]: unknown;
}

interface FailRule {
  remaining: number;
  status: number;
  match?: RegExp;
}

interface WatchConnection {
  res: ServerResponse;
  bookmarks: boolean;
  def: ResourceDef;
  close(): void;
}

/**
 * A fake kube-apiserver on loopback that speaks the real wire protocol (what client-node and our forwarder send): discovery and
 * OpenAPI v3 for kubectl, paginated lists with a resourceVersion, chunked watch streams flushed at once with
 * bookmarks and `ERROR` 410 after compaction, and optimistic concurrency on updates. Tests drive it through
 * this class; real clients (`@kubernetes/client-node`, `kubectl`) talk to it over HTTP.
 */
export class FakeApiServer {
  /** Every request answered, in order. */
  readonly requests: RecordedRequest[] = [];
  readonly store: Store;
  private readonly watches = new Set<WatchConnection>();
  private readonly sockets = new Set<Socket>();
  private readonly failRules: FailRule[] = [];
  private bookmarkTimer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly server: Server,
    private readonly now: () => Date,
  ) {
    this.store = new Store(now);
  }

  /** Starts a fake on 127.0.0.1 and resolves once it listens. */
  static async start(options: FakeApiServerOptions = {}): Promise<FakeApiServer> {
    const server = createServer();
    const fake = new FakeApiServer(server, options.now ?? (() => new Date()));
    server.on('request', (req, res) => fake.handle(req, res));
    server.on('connection', (socket) => {
      fake.sockets.add(socket);
      socket.on('close', () => fake.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
    if (options.bookmarkIntervalMs) {
      fake.bookmarkTimer = setInterval(() => fake.bookmark(), options.bookmarkIntervalMs);
      fake.bookmarkTimer.unref();
    }
    return fake;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Number of open watch streams (so tests can wait until a client is watching). */
  get watchCount(): number {
    return this.watches.size;
  }

  /**
   * A kubeconfig for this server. client-node refuses plain HTTP unless the cluster skips TLS verification,
   * hence `insecure-skip-tls-verify`.
   */
  kubeconfig(namespace = 'default'): string {
    return [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: fake',
      '  cluster:',
      `    server: ${this.url}`,
      '    insecure-skip-tls-verify: true',
      'users:',
      '- name: fake',
      '  user:',
      '    token: fake-token',
      'contexts:',
      '- name: fake',
      '  context:',
      '    cluster: fake',
      '    user: fake',
      `    namespace: ${namespace}`,
      'current-context: fake',
      '',
    ].join('\n');
  }

  /** Creates a core/v1 Event with realistic defaults and returns it as stored. */
  createEvent(spec: EventSpec = {}): KubeObject {
    const namespace = spec.namespace ?? 'default';
    const at = rfc3339(this.now());
    const { namespace: _ns, name, ...fields } = spec;
    const involvedObject = spec.involvedObject ?? { kind: 'Pod', namespace, name: 'web-0', apiVersion: 'v1' };
    const base: KubeObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: name
        ? { name, namespace }
        : { generateName: `${String(involvedObject.name ?? 'object')}.`, namespace },
      involvedObject,
      reason: 'Scheduled',
      message: 'Successfully assigned default/web-0 to node-1',
      type: 'Normal',
      count: 1,
      firstTimestamp: at,
      lastTimestamp: at,
      source: { component: 'default-scheduler' },
      reportingComponent: 'default-scheduler',
      reportingInstance: '',
    };
    return this.store.create('events', namespace, { ...base, ...fields, metadata: base.metadata });
  }

  /** Records another occurrence of an Event, as the kubelet's event correlator does: count+1, new lastTimestamp. */
  repeatEvent(namespace: string, name: string, changes: Partial<EventSpec> = {}): KubeObject {
    const current = this.store.get('events', namespace, name);
    if (!current) throw new StoreError(404, 'NotFound', `events "${name}" not found`);
    return this.store.update('events', namespace, name, {
      ...current,
      count: Number(current.count ?? 1) + 1,
      lastTimestamp: rfc3339(this.now()),
      ...changes,
      metadata: current.metadata,
    });
  }

  /** Creates or updates a Namespace with the given labels and annotations. */
  upsertNamespace(
    name: string,
    labels: Record<string, string> = {},
    annotations: Record<string, string> = {},
  ): KubeObject {
    const current = this.store.get('namespaces', undefined, name);
    const body: KubeObject = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { ...current?.metadata, name, labels, annotations },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    };
    return current
      ? this.store.update('namespaces', undefined, name, body)
      : this.store.create('namespaces', undefined, body);
  }

  /** Forgets history so that watches from older resourceVersions get `410 Gone`. */
  compact(rv?: number): void {
    this.store.compact(rv);
  }

  /** Ends every open watch stream, as an API server restart or a load balancer timeout does. */
  dropWatches(): void {
    for (const watch of [...this.watches]) watch.close();
  }

  /** Sends a BOOKMARK at the current resourceVersion to every watch that asked for bookmarks. */
  bookmark(): void {
    for (const watch of this.watches) {
      if (!watch.bookmarks) continue;
      writeLine(watch.res, {
        type: 'BOOKMARK',
        object: {
          kind: watch.def.kind,
          apiVersion: groupVersion(watch.def),
          metadata: { resourceVersion: String(this.store.resourceVersion) },
        },
      });
    }
  }

  /** Answers the next `count` requests whose path matches (default: every API request) with an error Status. */
  failNext(count: number, options: { status?: number; match?: RegExp } = {}): void {
    this.failRules.push({
      remaining: count,
      status: options.status ?? 500,
      ...(options.match ? { match: options.match } : {}),
    });
  }

  /** Stops listening and closes every connection, including open watches. */
  async close(): Promise<void> {
    clearInterval(this.bookmarkTimer);
    this.dropWatches();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    const query = Object.fromEntries(url.searchParams);
    this.requests.push({ method: req.method ?? 'GET', path: url.pathname, query });
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      try {
        if (this.injectFailure(url.pathname, res)) return;
        this.route(req.method ?? 'GET', url.pathname, query, body, res);
      } catch (err) {
        if (err instanceof StoreError) sendStatus(res, err.code, err.reason, err.message);
        else if (err instanceof SyntaxError)
          sendStatus(res, 400, 'BadRequest', `invalid JSON body: ${err.message}`);
        else sendStatus(res, 500, 'InternalError', (err as Error).message);
      }
    });
  }

  private injectFailure(path: string, res: ServerResponse): boolean {
    const rule = this.failRules.find((r) => r.remaining > 0 && (!r.match || r.match.test(path)));
    if (!rule) return false;
    rule.remaining--;
    sendStatus(
      res,
      rule.status,
      rule.status === 503 ? 'ServiceUnavailable' : 'InternalError',
      'injected failure',
    );
    return true;
  }

  private route(
    method: string,
    path: string,
    query: Record<string, string>,
    body: string,
    res: ServerResponse,
  ): void {
    const discovery = this.discovery(path);
    if (discovery !== undefined) {
      sendJson(res, 200, discovery);
      return;
    }
    const target = parseResourcePath(path);
    if (!target) {
      sendStatus(res, 404, 'NotFound', 'the server could not find the requested resource');
      return;
    }
    const { def, namespace, name } = target;
    const isWatch = query.watch === 'true' || query.watch === '1';
    if (method === 'GET' && isWatch) return this.watch(def, namespace, query, res);
    if (method === 'GET' && name === undefined) return sendJson(res, 200, this.list(def, namespace, query));
    if (method === 'GET' && name !== undefined) {
      const object = this.store.get(def.storage, namespace, name);
      if (!object) return sendStatus(res, 404, 'NotFound', `${def.plural} "${name}" not found`, def);
      return sendJson(res, 200, present(def, object));
    }
    if (method === 'POST' && name === undefined) {
      return sendJson(
        res,
        201,
        present(def, this.store.create(def.storage, namespace, stored(def, JSON.parse(body)))),
      );
    }
    if (method === 'PUT' && name !== undefined) {
      return sendJson(
        res,
        200,
        present(def, this.store.update(def.storage, namespace, name, stored(def, JSON.parse(body)))),
      );
    }
    if (method === 'DELETE' && name !== undefined) {
      return sendJson(res, 200, present(def, this.store.delete(def.storage, namespace, name)));
    }
    sendStatus(res, 405, 'MethodNotAllowed', `${method} is not supported on ${path}`);
  }

  private discovery(path: string): object | undefined {
    if (path === '/version') return VERSION_INFO;
    if (path === '/api') return apiVersions(`127.0.0.1:${this.port}`);
    if (path === '/apis') return apiGroupList();
    if (path === '/openapi/v3') return openApiIndex();
    if (path.startsWith('/openapi/v3/')) return openApiDocument(path.slice('/openapi/v3/'.length));
    if (path === '/api/v1') return apiResourceList('v1');
    const group = /^\/apis\/([^/]+\/[^/]+)$/.exec(path);
    return group ? apiResourceList(group[1]!) : undefined;
  }

  private list(def: ResourceDef, namespace: string | undefined, query: Record<string, string>): object {
    const limit = Number(query.limit) || 0;
    const token = query.continue
      ? (JSON.parse(Buffer.from(query.continue, 'base64url').toString()) as { rv: number; offset: number })
      : undefined;
    const rv = token?.rv ?? this.store.resourceVersion;
    const offset = token?.offset ?? 0;
    const all = this.store.list(def.storage, namespace);
    const page = limit > 0 ? all.slice(offset, offset + limit) : all.slice(offset);
    const next = limit > 0 && offset + limit < all.length ? { rv, offset: offset + limit } : undefined;
    return {
      kind: `${def.kind}List`,
      apiVersion: groupVersion(def),
      metadata: {
        resourceVersion: String(rv),
        ...(next
          ? {
              continue: Buffer.from(JSON.stringify(next)).toString('base64url'),
              remainingItemCount: all.length - next.offset,
            }
          : {}),
      },
      items: page.map((o) => present(def, o)),
    };
  }

  private watch(
    def: ResourceDef,
    namespace: string | undefined,
    query: Record<string, string>,
    res: ServerResponse,
  ): void {
    const rvParam = query.resourceVersion ?? '';
    if (!/^\d*$/.test(rvParam)) {
      // As the real API server answers a resourceVersion that is not one (a hand-edited checkpoint, say).
      sendStatus(res, 400, 'BadRequest', `invalid resource version: ${JSON.stringify(rvParam)}`);
      return;
    }
    // Headers go out at once: client-node waits for them before it reports the watch as established.
    res.writeHead(200, {
      'content-type': 'application/json',
      'transfer-encoding': 'chunked',
      'cache-control': 'no-cache',
    });
    res.flushHeaders();
    const visible = (change: Change) =>
      change.resource === def.storage &&
      (namespace === undefined || change.object.metadata.namespace === namespace);
    if (rvParam === '' || rvParam === '0') {
      for (const object of this.store.list(def.storage, namespace))
        writeLine(res, { type: 'ADDED', object: present(def, object) });
    } else {
      const changes = this.store.changesSince(def.storage, Number(rvParam));
      if (!changes) {
        const message = `too old resource version: ${rvParam} (${this.store.compacted})`;
        writeLine(res, { type: 'ERROR', object: statusBody(410, 'Expired', message) });
        res.end();
        return;
      }
      for (const change of changes.filter(visible))
        writeLine(res, { type: change.type, object: present(def, change.object) });
    }
    const unsubscribe = this.store.subscribe((change) => {
      if (visible(change)) writeLine(res, { type: change.type, object: present(def, change.object) });
    });
    const timeout =
      Number(query.timeoutSeconds) > 0
        ? setTimeout(() => connection.close(), Number(query.timeoutSeconds) * 1000)
        : undefined;
    const connection: WatchConnection = {
      res,
      def,
      bookmarks: query.allowWatchBookmarks === 'true',
      close: () => {
        if (!this.watches.delete(connection)) return;
        clearTimeout(timeout);
        unsubscribe();
        res.end();
      },
    };
    this.watches.add(connection);
    res.on('close', connection.close);
  }
}

/** Starts a {@link FakeApiServer} on 127.0.0.1. */
export function startFakeApiServer(options: FakeApiServerOptions = {}): Promise<FakeApiServer> {
  return FakeApiServer.start(options);
}

function parseResourcePath(
  path: string,
): { def: ResourceDef; namespace?: string; name?: string } | undefined {
  const m = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))\/(.+)$/.exec(path);
  if (!m) return undefined;
  const group = m[2] ?? '';
  const version = m[1] ?? m[3]!;
  const parts = m[4]!.split('/');
  const find = (plural: string | undefined) =>
    RESOURCES.find((r) => r.group === group && r.version === version && r.plural === plural);
  if (parts[0] === 'namespaces' && parts.length >= 3) {
    const def = find(parts[2]);
    if (!def?.namespaced || parts.length > 4) return undefined;
    return { def, namespace: parts[1]!, ...(parts[3] ? { name: parts[3] } : {}) };
  }
  const def = find(parts[0]);
  if (!def || parts.length > 2) return undefined;
  if (parts[1] && def.namespaced) return undefined;
  return { def, ...(parts[1] ? { name: parts[1] } : {}) };
}

/** The object as this API version shows it. */
function present(def: ResourceDef, object: KubeObject): KubeObject {
  if (def.storage === 'events')
    return def.group === 'events.k8s.io'
      ? toEventsV1(object)
      : { ...object, apiVersion: 'v1', kind: 'Event' };
  return { ...object, apiVersion: groupVersion(def), kind: def.kind };
}

/** The object as storage keeps it (core/v1 for Events). */
/** Go's `RFC3339Micro` layout, which `metav1.MicroTime` parses with exactly six fractional digits. */
const MICRO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}(Z|[+-]\d{2}:\d{2})$/;

function stored(def: ResourceDef, object: KubeObject): KubeObject {
  if (def.kind === 'Lease') checkMicroTimes(object);
  const withMeta = { ...object, metadata: object.metadata ?? {} };
  return def.group === 'events.k8s.io' ? toCoreV1(withMeta) : withMeta;
}

/** As the API server decodes a Lease: a MicroTime in any other precision fails the whole request with 400. */
function checkMicroTimes(lease: KubeObject): void {
  const spec = (lease.spec ?? {}) as Record<string, unknown>;
  for (const field of ['acquireTime', 'renewTime']) {
    const value = spec[field];
    if (value === undefined || value === null || (typeof value === 'string' && MICRO_TIME.test(value)))
      continue;
    throw new StoreError(
      400,
      'BadRequest',
      `Lease in version "v1" cannot be handled as a Lease: parsing time ${JSON.stringify(JSON.stringify(value))} as "2006-01-02T15:04:05.000000Z07:00": cannot parse`,
    );
  }
}

function writeLine(res: ServerResponse, value: object): void {
  if (!res.writableEnded) res.write(`${JSON.stringify(value)}\n`);
}

function statusBody(code: number, reason: string, message: string, def?: ResourceDef): object {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(def ? { details: { kind: def.plural, group: def.group } } : {}),
    code,
  };
}

function sendStatus(
  res: ServerResponse,
  code: number,
  reason: string,
  message: string,
  def?: ResourceDef,
): void {
  sendJson(res, code, statusBody(code, reason, message, def));
}

function sendJson(res: ServerResponse, code: number, value: object): void {
  const body = JSON.stringify(value);
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
