import { makeEnvelope } from '../contracts/index.ts';
import type { EnvelopeV1, KubeEvent } from '../contracts/index.ts';
import type { BundleInput } from '../functions/bundle/index.ts';
import { seededRandom } from './seeded-random.ts';

/**
 * A seeded, realistic event corpus for benchmarks: both Event APIs, Pods and Nodes, storms of one event's count
 * updates, long stack-trace messages and Chinese text. The same seed always gives the same corpus.
 */
export function generateCorpus(size: number, seed = 42): EnvelopeV1[] {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const out: EnvelopeV1[] = [];
  let serial = 0;
  while (out.length < size) {
    const template = pick(SCENARIOS);
    const namespace = template.kind === 'Node' ? '' : pick(NAMESPACES);
    const name =
      template.kind === 'Node'
        ? `node-${pick(ZONES)}-${Math.floor(random() * 40)}`
        : `${pick(APPS)}-${hex(random)}-${hex(random)}`;
    const uid = `uid-${seed}-${serial++}`;
    // A storm: the kubelet bumping one event's count again and again, as during a crash loop.
    const updates = random() < 0.15 ? 2 + Math.floor(random() * 30) : 1;
    for (let count = 1; count <= updates && out.length < size; count++) {
      const v1 = random() < 0.3;
      const message = random() < 0.05 ? longMessage(random) : template.message(name);
      out.push(
        makeEnvelope({
          cluster: pick(CLUSTERS),
          watchType: count === 1 ? 'ADDED' : 'MODIFIED',
          observedAt: new Date(BASE + out.length * 37).toISOString(),
          event: v1
            ? eventsV1(uid, namespace, name, template, message, count)
            : coreV1(uid, namespace, name, template, message, count),
          ...(namespace
            ? {
                namespace: {
                  labels: { team: namespace.split('-')[0]!, tier: pick(['prod', 'staging']) },
                  annotations: { 'kube-wecom/owners': pick(OWNERS) },
                },
              }
            : {}),
        }),
      );
    }
  }
  return out;
}

/** A bundle of `routes` routes shaped like a large organisation's: per-team namespaces, reasons, a catch-all. */
export function generateBundle(routes: number): BundleInput {
  const receivers: BundleInput['receivers'] = {};
  const list: BundleInput['routes'] = [];
  for (let i = 0; i < routes - 1; i++) {
    const team = NAMESPACES[i % NAMESPACES.length]!;
    const receiver = `team-${i % 12}`;
    receivers[receiver] = {
      webhook: `env:WECOM_TEAM_${i % 12}`,
      mentions: { fromNamespaceAnnotation: 'kube-wecom/owners' },
    };
    const variant = i % 5;
    list.push({
      name: `route-${i}`,
      match:
        variant === 0
          ? { types: ['Warning'], namespaces: [team, `${team}-.*`] }
          : variant === 1
            ? { level: 'Warning', reasons: ['BackOff', 'Failed', 'ErrImagePull'], namespaces: [team] }
            : variant === 2
              ? { kinds: ['Node'], reasons: ['NodeNotReady', 'SystemOOM', 'Rebooted'] }
              : variant === 3
                ? { messages: ['.*OOM.*'], clusters: ['prod-.*'] }
                : { namespaceLabels: { team: team.split('-')[0]! }, reasons: ['Unhealthy'], minCount: 3 },
      ...(variant === 4 ? { exclude: { names: ['canary-.*'] } } : {}),
      receivers: [receiver],
      group: { by: ['namespace', 'reason'] },
    });
  }
  receivers.audit = { webhook: 'env:WECOM_AUDIT' };
  list.push({ name: 'audit', match: { level: 'Warning' }, receivers: ['audit'], group: { by: [] } });
  return { version: 1, timezone: 'Asia/Shanghai', receivers, routes: list };
}

interface Scenario {
  kind: string;
  type: 'Normal' | 'Warning';
  reason: string;
  component: string;
  message: (name: string) => string;
}

const BASE = Date.parse('2026-11-27T02:00:00Z');
const CLUSTERS = ['prod-sh', 'prod-bj', 'staging-sh'];
const ZONES = ['sh', 'bj', 'sz'];
const NAMESPACES = [
  'payments',
  'orders',
  'data',
  'search',
  'ingress-nginx',
  'risk',
  'payments-canary',
  'kube-system',
  'monitoring',
  '支付',
];
const APPS = ['web', 'api', 'worker', 'cache', 'etl', 'gateway', 'canary-web'];
const OWNERS = ['wangqing', 'lihua,zhangsan', 'sre-oncall', ''];
const SCENARIOS: Scenario[] = [
  {
    kind: 'Pod',
    type: 'Warning',
    reason: 'BackOff',
    component: 'kubelet',
    message: (n) => `Back-off restarting failed container app in pod ${n}`,
  },
  {
    kind: 'Pod',
    type: 'Warning',
    reason: 'Failed',
    component: 'kubelet',
    message: () => 'Failed to pull image "registry.example.com/app:v2.31-bad": rpc error: code = NotFound',
  },
  {
    kind: 'Pod',
    type: 'Warning',
    reason: 'Unhealthy',
    component: 'kubelet',
    message: () => 'Readiness probe failed: HTTP probe failed with statuscode: 503',
  },
  {
    kind: 'Pod',
    type: 'Normal',
    reason: 'Pulling',
    component: 'kubelet',
    message: () => 'Pulling image "registry.example.com/app:v2.31"',
  },
  {
    kind: 'Pod',
    type: 'Normal',
    reason: 'Scheduled',
    component: 'default-scheduler',
    message: (n) => `Successfully assigned ${n} to node-sh-3`,
  },
  {
    kind: 'Pod',
    type: 'Warning',
    reason: 'FailedScheduling',
    component: 'default-scheduler',
    message: () => '0/6 nodes are available: 2 Insufficient memory, 4 node(s) had untolerated taint.',
  },
  {
    kind: 'Pod',
    type: 'Warning',
    reason: 'OOMKilling',
    component: 'kernel-monitor',
    message: () => 'Memory cgroup out of memory: Killed process 4213 (java)\nOOM score 998',
  },
  {
    kind: 'Node',
    type: 'Warning',
    reason: 'NodeNotReady',
    component: 'node-controller',
    message: (n) => `Node ${n} status is now: NodeNotReady`,
  },
  {
    kind: 'Node',
    type: 'Warning',
    reason: 'SystemOOM',
    component: 'kubelet',
    message: () => 'System OOM encountered, victim process: java, pid: 48213',
  },
  {
    kind: 'Pod',
    type: 'Warning',
    reason: 'Unhealthy',
    component: 'kubelet',
    message: () => '就绪探针失败：HTTP 探测返回状态码 503，服务暂不可用 🔥',
  },
  {
    kind: 'Deployment',
    type: 'Normal',
    reason: 'ScalingReplicaSet',
    component: 'deployment-controller',
    message: () => 'Scaled up replica set web-7d9f8 to 3',
  },
];

function coreV1(
  uid: string,
  namespace: string,
  name: string,
  s: Scenario,
  message: string,
  count: number,
): KubeEvent {
  const time = new Date(BASE + count * 60_000).toISOString();
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: {
      name: `${name}.${uid.slice(-6)}`,
      namespace: namespace || 'default',
      uid,
      resourceVersion: String(100000 + count),
    },
    involvedObject: { kind: s.kind, name, ...(namespace ? { namespace } : {}), apiVersion: 'v1' },
    reason: s.reason,
    message,
    type: s.type,
    count,
    firstTimestamp: new Date(BASE).toISOString(),
    lastTimestamp: time,
    source: { component: s.component, host: 'node-sh-3' },
  };
}

function eventsV1(
  uid: string,
  namespace: string,
  name: string,
  s: Scenario,
  note: string,
  count: number,
): KubeEvent {
  return {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: {
      name: `${name}.${uid.slice(-6)}`,
      namespace: namespace || 'default',
      uid,
      resourceVersion: String(200000 + count),
    },
    eventTime: new Date(BASE).toISOString(),
    reportingController: s.component,
    reportingInstance: 'node-sh-3',
    regarding: { kind: s.kind, name, ...(namespace ? { namespace } : {}) },
    reason: s.reason,
    note,
    type: s.type,
    action: 'Sync',
    ...(count > 1
      ? { series: { count, lastObservedTime: new Date(BASE + count * 60_000).toISOString() } }
      : {}),
  };
}

function longMessage(random: () => number): string {
  const frames = 40 + Math.floor(random() * 120);
  return `java.lang.IllegalStateException: connection pool exhausted\n${Array.from({ length: frames }, (_, i) => `\tat com.example.pay.Stage${i}.run(Stage${i}.java:${100 + i})`).join('\n')}`;
}

function hex(random: () => number): string {
  return Math.floor(random() * 0xfffff).toString(16);
}
