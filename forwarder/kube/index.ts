/** The forwarder's narrow view of the Kubernetes API, and its client-node implementation. */
export { clientNodeKubeApi, loadKubeConfig } from './client-node.ts';
export { statusOf } from './types.ts';
export type {
  KubeApi,
  ListPage,
  WatchEventType,
  WatchHandle,
  WatchParams,
  WatchedResource,
  WireObject,
} from './types.ts';
export { objectText, openWatchStream, WatchInactiveError } from './watch-stream.ts';
export type { WatchLineHandler } from './watch-stream.ts';
export { rfc3339, toWire } from './wire.ts';
