import type { CoreV1Event, NormalizedEvent } from '../../contracts/index.ts';

/**
 * A realistic event (a crash-looping pod) for `validate` and `send-test`. Its message carries quotes, as real
 * kubelet messages do, so a full-body template that interpolates raw text into JSON fails the check.
 */
export function sampleEvent(): NormalizedEvent {
  const raw = {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: {
      name: 'api-7d9f8c6b5-x2x8q.18c1f3a2b4d5e6f7',
      namespace: 'pay',
      uid: '5b3c1a9e-8f1d-4c2b-9a7e-3d6f0e1c2b4a',
      resourceVersion: '918273',
      creationTimestamp: '2026-11-27T10:00:00Z',
    },
    involvedObject: {
      apiVersion: 'v1',
      kind: 'Pod',
      namespace: 'pay',
      name: 'api-7d9f8c6b5-x2x8q',
      uid: 'c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f',
      fieldPath: 'spec.containers{api}',
    },
    reason: 'BackOff',
    message:
      'Back-off restarting failed container "api" in pod "api-7d9f8c6b5-x2x8q_pay(c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f)"',
    source: { component: 'kubelet', host: 'node-1' },
    firstTimestamp: '2026-11-27T10:00:00Z',
    lastTimestamp: '2026-11-27T10:05:00Z',
    count: 12,
    type: 'Warning',
    reportingComponent: 'kubelet',
    reportingInstance: 'node-1',
  } satisfies CoreV1Event;
  return {
    type: raw.type,
    reason: raw.reason,
    message: raw.message,
    kind: raw.involvedObject.kind,
    namespace: raw.involvedObject.namespace,
    name: raw.involvedObject.name,
    fieldPath: raw.involvedObject.fieldPath,
    component: raw.source.component,
    host: raw.source.host,
    count: raw.count,
    firstSeen: raw.firstTimestamp,
    lastSeen: raw.lastTimestamp,
    uid: raw.metadata.uid,
    eventName: raw.metadata.name,
    eventNamespace: raw.metadata.namespace,
    cluster: 'prod-sh',
    watchType: 'MODIFIED',
    api: 'v1',
    namespaceLabels: { team: 'pay', 'kubernetes.io/metadata.name': 'pay' },
    namespaceAnnotations: { 'kube-wecom/owners': 'wangqing,lisi' },
    raw,
  };
}
