/** A fake kube-apiserver for tests, `npm start` and fault drills; see `server.ts`. */
export { FakeApiServer, startFakeApiServer } from './server.ts';
export type { EventSpec, FakeApiServerOptions, RecordedRequest } from './server.ts';
export { Store, StoreError, rfc3339 } from './store.ts';
export type { Change, KubeObject } from './store.ts';
export { toCoreV1, toEventsV1 } from './convert.ts';
