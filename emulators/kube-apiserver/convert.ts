import type { KubeObject } from './store.ts';

/**
 * The API server keeps one Event storage and serves it as both core/v1 and events.k8s.io/v1; these map the
 * fields the way the real conversion does (message↔note, involvedObject↔regarding, count↔deprecatedCount …).
 */
const RENAMES: Array<[core: string, v1: string]> = [
  ['message', 'note'],
  ['involvedObject', 'regarding'],
  ['count', 'deprecatedCount'],
  ['firstTimestamp', 'deprecatedFirstTimestamp'],
  ['lastTimestamp', 'deprecatedLastTimestamp'],
  ['source', 'deprecatedSource'],
  ['reportingComponent', 'reportingController'],
];

/** core/v1 Event → events.k8s.io/v1 Event. */
export function toEventsV1(core: KubeObject): KubeObject {
  return rename(core, 0, 1, 'events.k8s.io/v1');
}

/** events.k8s.io/v1 Event → core/v1 Event. */
export function toCoreV1(v1: KubeObject): KubeObject {
  return rename(v1, 1, 0, 'v1');
}

function rename(object: KubeObject, from: 0 | 1, to: 0 | 1, apiVersion: string): KubeObject {
  const out: KubeObject = { ...object, apiVersion, kind: 'Event' };
  for (const pair of RENAMES) {
    if (pair[from] in out) {
      out[pair[to]] = out[pair[from]];
      delete out[pair[from]];
    }
  }
  return out;
}
