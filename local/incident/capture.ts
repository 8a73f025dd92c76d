import type { EnvelopeV1 } from '../../contracts/index.ts';
import type { Incident } from './types.ts';

/** How to lay the incident on a real clock. */
export interface CaptureOptions {
  /** When the first step happens (epoch ms). */
  startsAt: number;
  /** Real seconds per scripted second: the script compresses about twenty minutes into under one. */
  stretch: number;
  cluster: string;
}

/**
 * The incident as the forwarder would have put it on the queue over real time: one envelope per write (`ADDED`
 * for a new Event, `MODIFIED` for another occurrence), each Event in its reporter's API (core/v1 `count` and
 * `lastTimestamp`; events.k8s.io/v1 `series`), with its namespace's labels and annotations. `report` and the worked
 * example in docs/rules.md replay it.
 */
export function incidentEnvelopes(incident: Incident, options: CaptureOptions): EnvelopeV1[] {
  const namespaces = new Map(incident.namespaces.map((ns) => [ns.name, ns]));
  const current = new Map<string, { api: 'core' | 'events.k8s.io'; object: Record<string, unknown> }>();
  const envelopes: EnvelopeV1[] = [];
  for (const step of incident.steps) {
    const at = new Date(options.startsAt + step.at * options.stretch * 1000);
    let watchType: EnvelopeV1['watchType'] = 'MODIFIED';
    if (step.kind === 'create') {
      const { object, api, key } = step.event;
      const metadata = { ...object.metadata, uid: `incident-${key}` };
      current.set(key, {
        api,
        object:
          api === 'core'
            ? {
                apiVersion: 'v1',
                kind: 'Event',
                ...object,
                metadata,
                count: 1,
                firstTimestamp: rfc3339(at),
                lastTimestamp: rfc3339(at),
              }
            : {
                apiVersion: 'events.k8s.io/v1',
                kind: 'Event',
                ...object,
                metadata,
                eventTime: at.toISOString(),
              },
      });
      watchType = 'ADDED';
    } else {
      const event = current.get(step.key)!;
      const { object } = event;
      if (event.api === 'core') {
        event.object = { ...object, count: Number(object.count) + 1, lastTimestamp: rfc3339(at) };
      } else {
        const count = Number((object.series as { count?: number } | undefined)?.count ?? 1) + 1;
        event.object = { ...object, series: { count, lastObservedTime: at.toISOString() } };
      }
    }
    const key = step.kind === 'create' ? step.event.key : step.key;
    const object = current.get(key)!.object;
    const ns = namespaces.get(String((object.metadata as { namespace: string }).namespace));
    envelopes.push({
      v: 1,
      cluster: options.cluster,
      watchType,
      observedAt: at.toISOString(),
      event: structuredClone(object) as unknown as EnvelopeV1['event'],
      ...(ns ? { namespace: { labels: ns.labels, annotations: ns.annotations } } : {}),
    });
  }
  return envelopes;
}

/** The settings of the checked-in `local/incident/capture.jsonl` (about 21 minutes, as the script's comment says). */
export const CHECKED_IN_CAPTURE: CaptureOptions = {
  startsAt: Date.parse('2026-11-24T06:00:00Z'),
  stretch: 30,
  cluster: 'prod-sh',
};

/** The capture as JSON lines, exactly as checked in (`npm run capture:incident` rewrites it). */
export function incidentCaptureLines(incident: Incident): string {
  return incidentEnvelopes(incident, CHECKED_IN_CAPTURE)
    .map((envelope) => JSON.stringify(envelope))
    .join('\n')
    .concat('\n');
}

/** core/v1 timestamps have whole seconds. */
function rfc3339(at: Date): string {
  return at.toISOString().replace(/\.\d+Z$/, 'Z');
}
