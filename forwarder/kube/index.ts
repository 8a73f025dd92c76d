/** The forwarder's narrow view of the Kubernetes API, and its implementation as plain JSON over HTTP. */
export { KubeApiError, loadKubeConfig } from './connection.ts';
export { httpKubeApi } from './http-kube-api.ts';
export { microTime, statusOf } from './types.ts';
export type {
  ConfigMapObject,
  KubeApi,
  LeaseObject,
  ListPage,
  WatchEventType,
  WatchHandle,
  WatchParams,
  WatchedResource,
  WireObject,
} from './types.ts';
export { MalformedWatchLineError, objectText, openWatchStream, WatchInactiveError } from './watch-stream.ts';
export type { WatchLineHandler } from './watch-stream.ts';
