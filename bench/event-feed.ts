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
      const core = event.apiVersion === 'v1' ? event : toCoreV1(event);
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

  /** Creates the namespaces with labels and annotations, as a cluster has them. */
  prepare(fake: FakeApiServer): void {
    for (const ns of this.namespaces)
      fake.upsertNamespace(ns, { team: ns.split('-')[0]! }, { 'kube-wecom/owners': 'wangqing' });
  }

  /**
   * Writes the events: at `perSecond` in 10 ms ticks, or (Infinity) in chunks of 250 that yield to the event
   * loop so the watch streams drain; `onWrite` sees each write's time, for latency measurements.
   */
  async offer(fake: FakeApiServer, perSecond: number, onWrite?: (index: number, at: number) => void) {
    const paced = Number.isFinite(perSecond);
    const perTick = paced ? Math.max(1, Math.round(perSecond / 100)) : 250;
    const start = performance.now();
    for (let i = 0, tick = 0; i < this.steps.length; tick++) {
      for (const end = Math.min(this.steps.length, i + perTick); i < end; i++) {
        onWrite?.(i, performance.now());
        this.write(fake, this.steps[i]!);
      }
      const due = paced ? start + (tick + 1) * 10 : 0;
      await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
    }
  }

  private write(fake: FakeApiServer, step: Step): void {
    const { count: _count, lastTimestamp: _last, ...changes } = step.spec;
    if (step.repeat) fake.repeatEvent(step.namespace, step.name, changes);
    else fake.createEvent({ ...step.spec, namespace: step.namespace, name: step.name });
  }
}
