import { makeEnvelope, normalizeEvent } from '../../../contracts/index.ts';
import type { KubeEvent, NormalizedEvent } from '../../../contracts/index.ts';
import type { FakeApiServer, KubeObject } from '../../../emulators/kube-apiserver/index.ts';
import { seededRandom } from '../../../bench/seeded-random.ts';

/** One write of an Event to the API server: a new event (ADDED) or another occurrence of one (MODIFIED). */
export interface Occurrence {
  uid: string;
  /** What messages show: `namespace/name` of the involved object, or `name` when it is cluster-scoped. */
  object: string;
  count: number;
  watchType: 'ADDED' | 'MODIFIED';
  /** The event as the function will see it, for computing the rules' verdict. */
  event: NormalizedEvent;
}

/** Namespaces of the mix, with the labels and annotations the forwarder enriches envelopes with. */
export const NAMESPACES: Record<
  string,
  { labels: Record<string, string>; annotations: Record<string, string> }
> = {
  pay: { labels: { team: 'pay' }, annotations: { 'kube-wecom/owners': 'wangqing,lina' } },
  web: { labels: { team: 'web' }, annotations: {} },
  data: { labels: { team: 'data' }, annotations: {} },
  sandbox: { labels: { team: 'dev' }, annotations: {} },
  'kube-system': { labels: {}, annotations: {} },
};

interface Kind {
  weight: number;
  namespace: string;
  kind: 'Pod' | 'Node' | 'Deployment';
  prefix: string;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  component: string;
  /** Chance that a later tick repeats this event (the kubelet's correlator bumping its count). */
  repeats: number;
}

// Roughly what a busy cluster emits: mostly Normal lifecycle noise, a steady share of crash-looping and failing
// probes that repeat, some storage and scheduling trouble, node pressure, and a silenced sandbox.
const MIX: Kind[] = [
  {
    weight: 14,
    namespace: 'web',
    kind: 'Pod',
    prefix: 'web',
    type: 'Normal',
    reason: 'Scheduled',
    message: 'Successfully assigned web to worker-2',
    component: 'default-scheduler',
    repeats: 0,
  },
  {
    weight: 10,
    namespace: 'data',
    kind: 'Pod',
    prefix: 'etl',
    type: 'Normal',
    reason: 'Pulled',
    message: 'Container image "etl:1.4" already present on machine',
    component: 'kubelet',
    repeats: 0.2,
  },
  {
    weight: 8,
    namespace: 'pay',
    kind: 'Pod',
    prefix: 'pay-api',
    type: 'Normal',
    reason: 'Started',
    message: 'Started container api',
    component: 'kubelet',
    repeats: 0,
  },
  {
    weight: 4,
    namespace: 'web',
    kind: 'Deployment',
    prefix: 'web-deploy',
    type: 'Normal',
    reason: 'ScalingReplicaSet',
    message: 'Scaled up replica set web-7f9c4 to 6',
    component: 'deployment-controller',
    repeats: 0.3,
  },
  {
    weight: 12,
    namespace: 'pay',
    kind: 'Pod',
    prefix: 'pay-worker',
    type: 'Warning',
    reason: 'BackOff',
    message: 'Back-off restarting failed container worker in pod pay-worker',
    component: 'kubelet',
    repeats: 0.7,
  },
  {
    weight: 10,
    namespace: 'web',
    kind: 'Pod',
    prefix: 'web-front',
    type: 'Warning',
    reason: 'Unhealthy',
    message: 'Readiness probe failed: HTTP probe failed with statuscode: 503',
    component: 'kubelet',
    repeats: 0.6,
  },
  {
    weight: 6,
    namespace: 'data',
    kind: 'Pod',
    prefix: 'kafka',
    type: 'Warning',
    reason: 'FailedMount',
    message: 'MountVolume.SetUp failed for volume "data" : rpc error: code = DeadlineExceeded',
    component: 'kubelet',
    repeats: 0.5,
  },
  {
    weight: 4,
    namespace: 'kube-system',
    kind: 'Pod',
    prefix: 'coredns',
    type: 'Warning',
    reason: 'FailedScheduling',
    message: '0/6 nodes are available: 6 Insufficient memory.',
    component: 'default-scheduler',
    repeats: 0.4,
  },
  {
    weight: 3,
    namespace: '',
    kind: 'Node',
    prefix: 'node',
    type: 'Warning',
    reason: 'SystemOOM',
    message: 'System OOM encountered, victim process: java, pid: 4242',
    component: 'kubelet',
    repeats: 0.3,
  },
  {
    weight: 6,
    namespace: 'sandbox',
    kind: 'Pod',
    prefix: 'try',
    type: 'Warning',
    reason: 'Failed',
    message: 'Error: ImagePullBackOff',
    component: 'kubelet',
    repeats: 0.5,
  },
];
const TOTAL_WEIGHT = MIX.reduce((sum, k) => sum + k.weight, 0);
// What an unrecorded occurrence carries: nothing, so a soak keeps no per-event memory in the harness.
const EMPTY = {} as NormalizedEvent;

/**
 * Writes a realistic mix of Events to the fake API server and remembers every occurrence it offered. About a third
 * of the writes bump the count of an earlier event, as the kubelet does for a crash loop; `storm` bursts make one
 * event repeat many times at once.
 */
export class EventMix {
  /** Every occurrence offered, in order. */
  readonly offered: Occurrence[] = [];
  private readonly live: { namespace: string; name: string; kind: Kind }[] = [];
  private serial = 0;
  private readonly random: () => number;

  /** Occurrences written so far (also counted when `record` is off). */
  written = 0;

  /**
   * `record: false` keeps no occurrences (a soak writes millions); `keepLive` bounds the events that may repeat and
   * that stay in the API server (older ones are deleted, as the API server's event TTL does).
   */
  constructor(
    private readonly fake: FakeApiServer,
    private readonly cluster: string,
    seed = 1,
    private readonly options: { record?: boolean; keepLive?: number } = {},
  ) {
    this.random = seededRandom(seed);
    for (const [name, ns] of Object.entries(NAMESPACES))
      fake.upsertNamespace(name, ns.labels, ns.annotations);
  }

  /** Writes one occurrence: a repeat of a live event, or a new one. */
  next(): Occurrence {
    const repeatable = this.live.filter((e) => e.kind.repeats > 0);
    if (repeatable.length > 0 && this.random() < 0.35) {
      const target = repeatable[Math.floor(this.random() * repeatable.length)]!;
      if (this.random() < target.kind.repeats) return this.repeat(target.namespace, target.name);
    }
    return this.create(this.pick());
  }

  /** Writes `count` occurrences. */
  write(count: number): Occurrence[] {
    return Array.from({ length: count }, () => this.next());
  }

  /** Writes `count` occurrences, `perSecond` of them a second, until done or `signal` aborts. */
  async pace(count: number, perSecond: number, signal?: AbortSignal): Promise<void> {
    const start = Date.now();
    for (let i = 0; i < count && !signal?.aborted;) {
      const due = Math.min(count, Math.floor(((Date.now() - start) / 1000) * perSecond) + 1);
      for (; i < due; i++) this.next();
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** A storm: one event's count bumped `times` times back to back (a crash loop caught mid-flight). */
  storm(times: number): void {
    this.create(MIX.find((k) => k.reason === 'BackOff')!);
    const { namespace, name } = this.live.at(-1)!;
    for (let i = 0; i < times; i++) this.repeat(namespace, name);
  }

  private pick(): Kind {
    let roll = this.random() * TOTAL_WEIGHT;
    for (const kind of MIX) {
      roll -= kind.weight;
      if (roll < 0) return kind;
    }
    return MIX[0]!;
  }

  private create(kind: Kind): Occurrence {
    const serial = String(++this.serial).padStart(6, '0');
    const objectName = `${kind.prefix}-${serial}`;
    const eventNamespace = kind.namespace || 'default';
    const stored = this.fake.createEvent({
      namespace: eventNamespace,
      name: `${objectName}.${serial}`,
      type: kind.type,
      reason: kind.reason,
      message: kind.message,
      involvedObject: {
        kind: kind.kind,
        name: objectName,
        apiVersion: kind.kind === 'Deployment' ? 'apps/v1' : 'v1',
        ...(kind.namespace ? { namespace: kind.namespace } : {}),
      },
      source: { component: kind.component, host: 'worker-2' },
    });
    this.live.push({ namespace: eventNamespace, name: stored.metadata.name!, kind });
    const keep = this.options.keepLive;
    if (keep !== undefined && this.live.length > keep) {
      for (const old of this.live.splice(0, this.live.length - keep)) {
        this.fake.store.delete('events', old.namespace, old.name);
      }
    }
    return this.record(stored, 'ADDED');
  }

  private repeat(namespace: string, name: string): Occurrence {
    return this.record(this.fake.repeatEvent(namespace, name), 'MODIFIED');
  }

  private record(stored: KubeObject, watchType: 'ADDED' | 'MODIFIED'): Occurrence {
    this.written++;
    if (this.options.record === false) return { uid: '', object: '', count: 0, watchType, event: EMPTY };
    const involved = stored.involvedObject as { namespace?: string; name: string };
    const ns = NAMESPACES[involved.namespace ?? ''];
    const event = normalizeEvent(
      makeEnvelope({
        cluster: this.cluster,
        watchType,
        observedAt: new Date().toISOString(),
        event: structuredClone(stored) as unknown as KubeEvent,
        ...(ns ? { namespace: ns } : {}),
      }),
    );
    const occurrence: Occurrence = {
      uid: String(stored.metadata.uid),
      object: involved.namespace ? `${involved.namespace}/${involved.name}` : involved.name,
      count: Number(stored.count),
      watchType,
      event,
    };
    this.offered.push(occurrence);
    return occurrence;
  }
}
