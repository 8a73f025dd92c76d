import type { KubeEvent } from '../contracts/index.ts';
import { toCoreV1 } from '../emulators/kube-apiserver/index.ts';
import type { EventSpec, FakeApiServer, KubeObject } from '../emulators/kube-apiserver/index.ts';
import { generateCorpus } from './corpus.ts';

/** One write to the fake API server: a new Event, or another occurrence of one (count + 1). */
interface Step {
  namespace: string;
  name: string;
  repeat: boolean;
  spec: EventSpec;
}

/**
 * The seeded corpus as writes to the fake API server: events of both APIs stored as core/v1 (as the real API
 * server stores them), storms as repeated occurrences of one Event, long and Chinese messages as generated.
 */
export class EventFeed {
  private readonly steps: Step[];
  /** Namespaces the corpus mentions, so the forwarder's cache can enrich every event. */
  readonly namespaces: string[];

  constructor(size: number, seed = 7) {
    const created = new Set<string>();
    const namespaces = new Set<string>();
    this.steps = generateCorpus(size, seed).map((envelope) => {
      const event = envelope.event as KubeEvent & KubeObject;
      const core = event.apiVersion === 'v1' ? event : withMicroTimes(toCoreV1(event));
      const { metadata, ...fields } = core;
      const namespace = metadata.namespace || 'default';
      const uid = String(metadata.uid);
      const involved = (fields.involvedObject ?? {}) as { namespace?: string; name?: string };
      if (involved.namespace) namespaces.add(involved.namespace);
      const repeat = created.has(uid);
      created.add(uid);
      return { namespace, name: `${involved.name ?? 'object'}.${uid}`, repeat, spec: fields };
    });
    this.namespaces = [...namespaces];
  }

  get size(): number {
    return this.steps.length;
  }

  /** How many of the writes are Warnings (what a sink filtering on `level=Warning` posts). */
  get warnings(): number {
    return this.steps.filter((step) => step.spec.type === 'Warning').length;
  }

  /** Creates the namespaces with labels and annotations, as a cluster has them. */
  prepare(fake: FakeApiServer): void {
    for (const ns of this.namespaces)
      fake.upsertNamespace(ns, { team: ns.split('-')[0]! }, { 'kube-wecom/owners': 'wangqing' });
  }

  /**
   * Writes the events: at `perSecond`, in ticks of 10 ms or (below 100 events/s) one event per tick, or
   * (Infinity) in chunks of 250 that yield to the event loop so the watch streams drain; `onWrite` sees each
   * write's time, for latency measurements.
   */
  async offer(fake: FakeApiServer, perSecond: number, onWrite?: (index: number, at: number) => void) {
    const paced = Number.isFinite(perSecond);
    const tickMs = paced ? Math.max(10, 1000 / perSecond) : 0;
    const start = performance.now();
    for (let i = 0, tick = 1; i < this.steps.length; tick++) {
      const due = paced ? Math.round((tick * tickMs * perSecond) / 1000) : i + 250;
      for (const end = Math.min(this.steps.length, due); i < end; i++) {
        onWrite?.(i, performance.now());
        this.write(fake, this.steps[i]!);
      }
      await new Promise((r) => setTimeout(r, Math.max(0, start + tick * tickMs - performance.now())));
    }
  }

  private write(fake: FakeApiServer, step: Step): void {
    const { count: _count, lastTimestamp: _last, ...changes } = step.spec;
    if (step.repeat) fake.repeatEvent(step.namespace, step.name, changes);
    else fake.createEvent({ ...step.spec, namespace: step.namespace, name: step.name });
  }
}

/**
 * The object with its MicroTime fields as the API server writes them, six fractional digits
 * (`metav1.MicroTime`); the corpus has JavaScript's three. Go clients (kube-eventer) fail to decode the
 * three-digit form, drop the watch and lose the events around it, which a real cluster never makes them do.
 */
function withMicroTimes(event: KubeObject): KubeObject {
  const micro = (time: unknown) => (typeof time === 'string' ? time.replace(/\.(\d{3})Z$/, '.$1000Z') : time);
  const series = event.series as { lastObservedTime?: string } | undefined;
  return {
    ...event,
    ...(event.eventTime ? { eventTime: micro(event.eventTime) } : {}),
    ...(series ? { series: { ...series, lastObservedTime: micro(series.lastObservedTime) } } : {}),
  };
}
