import { CoreV1Api, CoordinationV1Api, EventsV1Api, KubeConfig } from '@kubernetes/client-node';
import type { V1ConfigMap, V1Lease } from '@kubernetes/client-node';
import { statusOf } from './types.ts';
import type { KubeApi, ListPage, WatchedResource } from './types.ts';
import { openWatchStream } from './watch-stream.ts';
import { toWire } from './wire.ts';

const WATCH_PATHS: Record<WatchedResource, string> = {
  'events.v1': '/api/v1/events',
  'events.events.k8s.io': '/apis/events.k8s.io/v1/events',
  namespaces: '/api/v1/namespaces',
};

/** Loads a kubeconfig file, or the in-cluster service account when no path is given. */
export function loadKubeConfig(path?: string): KubeConfig {
  const kc = new KubeConfig();
  if (path) kc.loadFromFile(path);
  else kc.loadFromCluster();
  return kc;
}

/**
 * {@link KubeApi} over `@kubernetes/client-node` (watches read their stream directly, see `openWatchStream`).
 * `watchInactivityMs` bounds how long a silent watch connection
 * is trusted; it must exceed the server-side `timeoutSeconds` so healthy quiet watches end on the server's terms.
 */
export function clientNodeKubeApi(kc: KubeConfig, options: { watchInactivityMs: number }): KubeApi {
  const core = kc.makeApiClient(CoreV1Api);
  const events = kc.makeApiClient(EventsV1Api);
  const coordination = kc.makeApiClient(CoordinationV1Api);

  const listers: Record<
    WatchedResource,
    (p: {
      limit: number;
      _continue?: string;
    }) => Promise<{ items: object[]; metadata?: { resourceVersion?: string; _continue?: string } }>
  > = {
    'events.v1': (p) => core.listEventForAllNamespaces(p),
    'events.events.k8s.io': (p) => events.listEventForAllNamespaces(p),
    namespaces: (p) => core.listNamespace(p),
  };

  return {
    async list(resource, params): Promise<ListPage> {
      const list = await listers[resource]({
        limit: params.limit,
        ...(params.continue ? { _continue: params.continue } : {}),
      });
      return {
        items: list.items.map(toWire),
        resourceVersion: list.metadata?.resourceVersion ?? '',
        ...(list.metadata?._continue ? { continue: list.metadata._continue } : {}),
      };
    },
    watch: (resource, params, onEvent, done) =>
      openWatchStream(
        kc,
        WATCH_PATHS[resource],
        {
          resourceVersion: params.resourceVersion,
          allowWatchBookmarks: 'true',
          timeoutSeconds: String(params.timeoutSeconds),
        },
        options.watchInactivityMs,
        onEvent,
        done,
      ),
    readNamespace: (name) => orUndefined(core.readNamespace({ name }).then(toWire)),
    readConfigMap: (namespace, name) => orUndefined(core.readNamespacedConfigMap({ namespace, name })),
    createConfigMap: (namespace, body) => core.createNamespacedConfigMap({ namespace, body }),
    replaceConfigMap: (namespace, name, body) => core.replaceNamespacedConfigMap({ namespace, name, body }),
    readLease: (namespace, name) => orUndefined(coordination.readNamespacedLease({ namespace, name })),
    createLease: (namespace, body) => coordination.createNamespacedLease({ namespace, body }),
    replaceLease: (namespace, name, body) => coordination.replaceNamespacedLease({ namespace, name, body }),
  };
}

async function orUndefined<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (err) {
    if (statusOf(err) === 404) return undefined;
    throw err;
  }
}

export type { V1ConfigMap, V1Lease };
