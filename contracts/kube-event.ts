/**
 * The two wire shapes of a Kubernetes Event, as the API server returns them. Only the fields kube-wecom reads
 * are typed; everything else passes through untouched in `raw`.
 */

/** An object reference as core/v1 `involvedObject` and events.k8s.io/v1 `regarding` carry it. */
export interface ObjectReference {
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  apiVersion?: string;
  resourceVersion?: string;
  fieldPath?: string;
}

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface EventSeries {
  count?: number;
  lastObservedTime?: string;
}

/** core/v1 Event (`apiVersion: v1`). */
export interface CoreV1Event {
  apiVersion?: 'v1';
  kind?: 'Event';
  metadata?: ObjectMeta;
  involvedObject?: ObjectReference;
  reason?: string;
  message?: string;
  type?: string;
  count?: number;
  firstTimestamp?: string | null;
  lastTimestamp?: string | null;
  eventTime?: string | null;
  series?: EventSeries;
  source?: { component?: string; host?: string };
  reportingComponent?: string;
  reportingInstance?: string;
  action?: string;
  related?: ObjectReference;
}

/** events.k8s.io/v1 Event. */
export interface EventsV1Event {
  apiVersion?: 'events.k8s.io/v1';
  kind?: 'Event';
  metadata?: ObjectMeta;
  regarding?: ObjectReference;
  related?: ObjectReference;
  reason?: string;
  note?: string;
  type?: string;
  action?: string;
  eventTime?: string | null;
  series?: EventSeries;
  reportingController?: string;
  reportingInstance?: string;
  deprecatedCount?: number;
  deprecatedFirstTimestamp?: string | null;
  deprecatedLastTimestamp?: string | null;
  deprecatedSource?: { component?: string; host?: string };
}

export type KubeEvent = CoreV1Event | EventsV1Event;

/** The watch types the forwarder puts on the queue; `DELETED` is never forwarded. */
export type ForwardedWatchType = 'ADDED' | 'MODIFIED';
