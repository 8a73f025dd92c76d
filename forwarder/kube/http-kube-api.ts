import type { KubeConfig } from '@kubernetes/client-node';
import { apiError, readText, startKubeRequest } from './connection.ts';
import { statusOf } from './types.ts';
import type {
  ConfigMapObject,
  KubeApi,
  LeaseObject,
  ListPage,
  WatchedResource,
  WireObject,
} from './types.ts';
import { openWatchStream } from './watch-stream.ts';

const COLLECTION_PATHS: Record<WatchedResource, string> = {
  'events.v1': '/api/v1/events',
  'events.events.k8s.io': '/apis/events.k8s.io/v1/events',
  namespaces: '/api/v1/namespaces',
};

/** Longer than any answer a healthy API server takes for one object or one page of a list. */
const REQUEST_TIMEOUT_MS = 30_000;

/**
 * {@link KubeApi} as plain JSON over HTTP, authenticated by the kubeconfig (see `startKubeRequest`). Objects
 * arrive and leave exactly as the API server writes them: no model classes, timestamps stay RFC 3339 strings.
 * `watchInactivityMs` bounds how long a silent watch connection is trusted; it must exceed the server-side
 * `timeoutSeconds` so healthy quiet watches end on the server's terms.
 */
export function httpKubeApi(kc: KubeConfig, options: { watchInactivityMs: number }): KubeApi {
  const call = <T>(method: string, path: string, query: Record<string, string> = {}, body?: object) =>
    callJson<T>(kc, method, path, query, body);
  const configMaps = (namespace: string) => `/api/v1/namespaces/${encodeURIComponent(namespace)}/configmaps`;
  const leases = (namespace: string) =>
    `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/leases`;
  const named = (collection: string, name: string) => `${collection}/${encodeURIComponent(name)}`;

  return {
    async list(resource, params): Promise<ListPage> {
      const list = await call<{
        items?: WireObject[] | null;
        metadata?: { resourceVersion?: string; continue?: string };
      }>('GET', COLLECTION_PATHS[resource], {
        limit: String(params.limit),
        ...(params.continue ? { continue: params.continue } : {}),
      });
      return {
        items: list.items ?? [],
        resourceVersion: list.metadata?.resourceVersion ?? '',
        ...(list.metadata?.continue ? { continue: list.metadata.continue } : {}),
      };
    },
    watch: (resource, params, onEvent, done) =>
      openWatchStream(
        kc,
        COLLECTION_PATHS[resource],
        {
          resourceVersion: params.resourceVersion,
          allowWatchBookmarks: 'true',
          timeoutSeconds: String(params.timeoutSeconds),
        },
        options.watchInactivityMs,
        onEvent,
        done,
      ),
    readNamespace: (name) => orUndefined(call<WireObject>('GET', named(COLLECTION_PATHS.namespaces, name))),
    readConfigMap: (namespace, name) =>
      orUndefined(call<ConfigMapObject>('GET', named(configMaps(namespace), name))),
    createConfigMap: (namespace, body) => call<ConfigMapObject>('POST', configMaps(namespace), {}, body),
    replaceConfigMap: (namespace, name, body) =>
      call<ConfigMapObject>('PUT', named(configMaps(namespace), name), {}, body),
    readLease: (namespace, name) => orUndefined(call<LeaseObject>('GET', named(leases(namespace), name))),
    createLease: (namespace, body) => call<LeaseObject>('POST', leases(namespace), {}, body),
    replaceLease: (namespace, name, body) =>
      call<LeaseObject>('PUT', named(leases(namespace), name), {}, body),
  };
}

/** One request with an optional JSON body; resolves with the JSON answer, or fails with a {@link KubeApiError}. */
async function callJson<T>(
  kc: KubeConfig,
  method: string,
  path: string,
  query: Record<string, string>,
  body: object | undefined,
): Promise<T> {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    startKubeRequest(kc, method, path, query, (res) => {
      readText(res).then((text) => resolve({ status: res.statusCode ?? 0, text }), reject);
    }).then((req) => {
      req.setTimeout(REQUEST_TIMEOUT_MS, () =>
        req.destroy(new Error(`${method} ${path}: no answer within ${REQUEST_TIMEOUT_MS / 1000} s`)),
      );
      req.on('error', reject);
      req.setHeader('accept', 'application/json');
      if (payload) {
        req.setHeader('content-type', 'application/json');
        req.setHeader('content-length', payload.length);
      }
      req.end(payload);
    }, reject);
  });
  if (status < 200 || status >= 300) throw apiError(method, path, status, text);
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Error(`${method} ${path}: the answer is not JSON: ${text.slice(0, 200)}`);
  }
}

async function orUndefined<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (err) {
    if (statusOf(err) === 404) return undefined;
    throw err;
  }
}
