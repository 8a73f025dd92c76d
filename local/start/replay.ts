import { setTimeout as sleep } from 'node:timers/promises';
import type { EnvelopeV1 } from '../../contracts/index.ts';
import type { Incident } from '../incident/index.ts';
import { rfc3339, toCoreV1 } from '../../emulators/kube-apiserver/index.ts';
import type { FakeApiServer, KubeObject } from '../../emulators/kube-apiserver/index.ts';

/** How a replay paces itself and reports progress. */
export interface ReplayOptions {
  /** Time compression: 2 plays the timeline twice as fast. */
  speed: number;
  /** Aborting stops the replay between two writes. */
  signal: AbortSignal;
  /** Called after every Event write (create or update), so the pipeline knows how many changes to expect. */
  onWrite?: () => void;
  now?: () => Date;
}

/**
 * Writes Events into the fake API server the way their reporters do: a new Event, or another occurrence of one
 * (core/v1: `count` + 1 and a new `lastTimestamp`; events.k8s.io/v1: `series`). The fake stores core/v1 and
 * serves both APIs, so an events.k8s.io/v1 Event is converted on the way in, as the real API server does.
 */
class EventWriter {
  constructor(
    private readonly fake: FakeApiServer,
    private readonly now: () => Date,
  ) {}

  create(object: KubeObject, api: 'core' | 'events.k8s.io'): KubeObject {
    const at = this.now();
    const stamped: KubeObject =
      api === 'core'
        ? { ...object, count: 1, firstTimestamp: rfc3339(at), lastTimestamp: rfc3339(at) }
        : toCoreV1({ ...object, eventTime: microTime(at) });
    return this.fake.store.create('events', object.metadata.namespace, stamped);
  }

  repeat(namespace: string, name: string): void {
    const current = this.fake.store.get('events', namespace, name);
    if (!current) throw new Error(`the incident bumps events/${namespace}/${name} before creating it`);
    const at = this.now();
    // An events.k8s.io/v1 writer never sets `count`; its repeats live in `series`.
    const next: KubeObject =
      current.count === undefined
        ? {
            ...current,
            series: {
              count: Number((current.series as { count?: number } | undefined)?.count ?? 1) + 1,
              lastObservedTime: microTime(at),
            },
          }
        : { ...current, count: Number(current.count) + 1, lastTimestamp: rfc3339(at) };
    this.fake.store.update('events', namespace, name, next);
  }

  /** A recorded Event as it was: created when its name is new, otherwise replacing the stored one. */
  upsert(event: KubeObject): void {
    const core = event.apiVersion === 'events.k8s.io/v1' ? toCoreV1(event) : event;
    const involved = (core.involvedObject ?? {}) as { namespace?: string; name?: string };
    const namespace = core.metadata?.namespace || involved.namespace || 'default';
    const name = core.metadata?.name;
    // The store assigns uid and resourceVersion; the recorded ones belong to another cluster.
    const metadata = name ? { name, namespace } : { generateName: `${involved.name ?? 'event'}.`, namespace };
    const body: KubeObject = { ...core, metadata };
    if (name && this.fake.store.get('events', namespace, name))
      this.fake.store.update('events', namespace, name, body);
    else this.fake.store.create('events', namespace, body);
  }
}

/** events.k8s.io's MicroTime: RFC 3339 with microseconds. */
function microTime(at: Date): string {
  return at.toISOString().replace(/Z$/, '000Z');
}

async function waitUntil(startedAt: number, offsetMs: number, signal: AbortSignal): Promise<void> {
  const wait = startedAt + offsetMs - Date.now();
  if (wait > 0) await sleep(wait, undefined, { signal });
}

/**
 * Plays a scripted incident into the fake: namespaces first (so the forwarder can enrich every Event), then each
 * step at `at / speed` seconds after the start. Resolves when the last step is written; rejects with an
 * `AbortError` when stopped early.
 */
export async function replayIncident(
  fake: FakeApiServer,
  incident: Incident,
  options: ReplayOptions,
): Promise<void> {
  const writer = new EventWriter(fake, options.now ?? (() => new Date()));
  for (const ns of incident.namespaces) fake.upsertNamespace(ns.name, ns.labels, ns.annotations);
  const names = new Map<string, { namespace: string; name: string }>();
  const startedAt = Date.now();
  for (const step of incident.steps) {
    await waitUntil(startedAt, (step.at * 1000) / options.speed, options.signal);
    if (step.kind === 'create') {
      const { metadata } = step.event.object;
      writer.create(step.event.object, step.event.api);
      names.set(step.event.key, metadata);
    } else {
      const target = names.get(step.key);
      if (!target) throw new Error(`the incident repeats "${step.key}" before creating it`);
      writer.repeat(target.namespace, target.name);
    }
    options.onWrite?.();
  }
}

/** Most time a file replay takes at speed 1, however many Events it holds (but never faster than 50/s). */
const FILE_REPLAY_MS = 30_000;

/**
 * Plays recorded Events (anything `preview` reads) into the fake, in input order, spread over up to 30 s at
 * speed 1. A namespace an envelope describes is created with its labels and annotations first, so the forwarder's
 * enrichment gives the function the same view the recording had.
 */
export async function replayEvents(
  fake: FakeApiServer,
  envelopes: readonly EnvelopeV1[],
  options: ReplayOptions,
): Promise<void> {
  const writer = new EventWriter(fake, options.now ?? (() => new Date()));
  const described = new Set<string>();
  for (const envelope of envelopes) {
    const event = envelope.event as unknown as KubeObject;
    const namespace = event.metadata?.namespace;
    if (namespace && envelope.namespace && !described.has(namespace)) {
      described.add(namespace);
      fake.upsertNamespace(namespace, envelope.namespace.labels ?? {}, envelope.namespace.annotations ?? {});
    }
  }
  const gapMs = Math.min(1000, Math.max(20, FILE_REPLAY_MS / Math.max(1, envelopes.length))) / options.speed;
  const startedAt = Date.now();
  for (const [i, envelope] of envelopes.entries()) {
    await waitUntil(startedAt, i * gapMs, options.signal);
    writer.upsert(envelope.event as unknown as KubeObject);
    options.onWrite?.();
  }
}
