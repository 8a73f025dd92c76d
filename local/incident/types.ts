/** A namespace of the incident's cluster, with the labels routes match and the annotation mentions come from. */
export interface IncidentNamespace {
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/**
 * An Event the incident creates, as its reporter would write it: core/v1 (kubelet, controllers) or
 * events.k8s.io/v1 (scheduler, node lifecycle controller). Timestamps are left out: the replay stamps them with
 * the time it writes the Event, so relative times on the page read like a live cluster.
 */
export interface IncidentEvent {
  /** Short handle the script's later steps use to bump this Event. */
  key: string;
  api: 'core' | 'events.k8s.io';
  /** The Event object without timestamps, `count` or `series`; `metadata` has `name` and `namespace`. */
  object: {
    metadata: { name: string; namespace: string };
    [field: string]: unknown;
  };
}

/** One thing that happens in the cluster, `at` seconds after the incident starts (at speed 1). */
export type IncidentStep =
  | { at: number; kind: 'create'; event: IncidentEvent }
  /** Another occurrence of an Event: core/v1 `count` + 1, or events.k8s.io/v1 `series.count` + 1. */
  | { at: number; kind: 'repeat'; key: string };

/** A scripted incident: the cluster's namespaces and a timeline of Event writes. */
export interface Incident {
  /** Shown on the console when the replay starts. */
  title: string;
  namespaces: IncidentNamespace[];
  /** Sorted by `at`. */
  steps: IncidentStep[];
  /** Seconds from the first to the last step at speed 1. */
  durationSeconds: number;
}
