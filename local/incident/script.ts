import type { Incident, IncidentEvent, IncidentNamespace, IncidentStep } from './types.ts';

// The incident `npm start` replays: what a bad Tuesday afternoon looks like in `kubectl get events -A -w`, with the
// timeline compressed from about twenty minutes to under a minute. Reasons, messages, reporters and which Event API
// each reporter uses follow what Kubernetes 1.30 writes.

const REGISTRY = 'registry.cn-shanghai.aliyuncs.com/acme';
const BAD_IMAGE = `${REGISTRY}/payments-api:2.31.0`;
const GOOD_IMAGE = `${REGISTRY}/payments-api:v2.31.0`;
const INDEXER_IMAGE = `${REGISTRY}/search-indexer:4.2.1`;
const NODE_LOST = 'cn-shanghai.10.0.3.17';
const NODE_B = 'cn-shanghai.10.0.3.21';
const NODE_C = 'cn-shanghai.10.0.4.8';
/** Where the scheduler and controller manager run; events.k8s.io reporters name their instance after it. */
const CONTROL_PLANE = 'cn-shanghai.10.0.1.5';

const OWNERS = 'kube-wecom/owners';

const namespaces: IncidentNamespace[] = [
  ns('payments', { team: 'payments', tier: 'prod' }, { [OWNERS]: 'wangqing,liuyang' }),
  ns('checkout', { team: 'checkout', tier: 'prod' }, { [OWNERS]: 'zhaolei' }),
  ns('search', { team: 'search', tier: 'prod' }, { [OWNERS]: 'chenjing' }),
  ns('kube-system', {}, {}),
];

function ns(
  name: string,
  labels: Record<string, string>,
  annotations: Record<string, string>,
): IncidentNamespace {
  return { name, labels: { 'kubernetes.io/metadata.name': name, ...labels }, annotations };
}

/** The object an Event is about. */
interface Regarding {
  kind: 'Pod' | 'Node' | 'Deployment' | 'ReplicaSet' | 'StatefulSet';
  name: string;
  /** Absent for Nodes. */
  namespace?: string;
  fieldPath?: string;
}

/** What differs between Events; the reporter decides the API and the field names. */
interface EventFields {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  /** core/v1 `source.component`, events.k8s.io/v1 `reportingController`. */
  reporter: string;
  /** core/v1 `source.host`; events.k8s.io/v1 names `reportingInstance` after it (default: the control plane). */
  host?: string;
  /** events.k8s.io/v1 only: what the reporter did. */
  action?: string;
}

const API_VERSIONS: Record<Regarding['kind'], string> = {
  Pod: 'v1',
  Node: 'v1',
  Deployment: 'apps/v1',
  ReplicaSet: 'apps/v1',
  StatefulSet: 'apps/v1',
};

/** Collects steps; Event names look like the API server's (`<object>.<16 hex digits>`) and are stable across runs. */
class Timeline {
  readonly steps: IncidentStep[] = [];
  private serial = 0;

  /** An Event written through core/v1, as the kubelet and most controllers still do. */
  core(at: number, key: string, about: Regarding, fields: EventFields): void {
    this.add(at, {
      key,
      api: 'core',
      object: {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: this.metadata(about),
        involvedObject: reference(about),
        type: fields.type,
        reason: fields.reason,
        message: fields.message,
        source: { component: fields.reporter, ...(fields.host ? { host: fields.host } : {}) },
        reportingComponent: fields.reporter,
        reportingInstance: fields.host ?? '',
      },
    });
  }

  /** An Event written through events.k8s.io/v1, as the scheduler and the node lifecycle controller do. */
  v1(at: number, key: string, about: Regarding, fields: EventFields): void {
    this.add(at, {
      key,
      api: 'events.k8s.io',
      object: {
        apiVersion: 'events.k8s.io/v1',
        kind: 'Event',
        metadata: this.metadata(about),
        regarding: reference(about),
        type: fields.type,
        reason: fields.reason,
        note: fields.message,
        action: fields.action ?? fields.reason,
        reportingController: fields.reporter,
        reportingInstance: `${fields.reporter}-${fields.host ?? CONTROL_PLANE}`,
      },
    });
  }

  /** Further occurrences of `key` at each of `times`. */
  repeat(key: string, times: readonly number[]): void {
    for (const at of times) this.steps.push({ at, kind: 'repeat', key });
  }

  private add(at: number, event: IncidentEvent): void {
    this.steps.push({ at, kind: 'create', event });
  }

  private metadata(about: Regarding): { name: string; namespace: string } {
    const suffix = (0x17c3a9e25b4d0000n + BigInt(++this.serial) * 0x2f1d3n).toString(16);
    return { name: `${about.name}.${suffix}`, namespace: about.namespace ?? 'default' };
  }
}

function reference(about: Regarding): Record<string, string> {
  return {
    apiVersion: API_VERSIONS[about.kind],
    kind: about.kind,
    name: about.name,
    ...(about.namespace ? { namespace: about.namespace } : {}),
    ...(about.fieldPath ? { fieldPath: about.fieldPath } : {}),
  };
}

/** `from`, `from + step` … up to `to`, rounded to a tenth of a second. */
function every(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let at = from; at <= to + 1e-9; at += step) out.push(Math.round(at * 10) / 10);
  return out;
}

const pod = (namespace: string, name: string, container?: string): Regarding => ({
  kind: 'Pod',
  namespace,
  name,
  ...(container ? { fieldPath: `spec.containers{${container}}` } : {}),
});
const node = (name: string): Regarding => ({ kind: 'Node', name });

function build(): IncidentStep[] {
  const t = new Timeline();

  // 1. A release of payments-api with a tag that was never pushed (`2.31.0`, not `v2.31.0`): three surge pods
  //    never start, and the kubelets fall into image pull back-off.
  const badRs = 'api-7d9f8c6b5';
  const badPods = [
    { name: `${badRs}-x2x9q`, node: NODE_B },
    { name: `${badRs}-k4m7p`, node: NODE_C },
    { name: `${badRs}-q8w2z`, node: NODE_LOST },
  ];
  t.core(
    0,
    'pay-scale-up',
    { kind: 'Deployment', namespace: 'payments', name: 'api' },
    {
      type: 'Normal',
      reason: 'ScalingReplicaSet',
      message: `Scaled up replica set ${badRs} to 3`,
      reporter: 'deployment-controller',
    },
  );
  badPods.forEach((p, i) => {
    const start = 0.4 + i * 0.3;
    t.core(
      start,
      `pay-create-${i}`,
      { kind: 'ReplicaSet', namespace: 'payments', name: badRs },
      {
        type: 'Normal',
        reason: 'SuccessfulCreate',
        message: `Created pod: ${p.name}`,
        reporter: 'replicaset-controller',
      },
    );
    t.v1(start + 0.4, `pay-scheduled-${i}`, pod('payments', p.name), {
      type: 'Normal',
      reason: 'Scheduled',
      message: `Successfully assigned payments/${p.name} to ${p.node}`,
      reporter: 'default-scheduler',
      action: 'Binding',
    });
    const kubelet = { reporter: 'kubelet', host: p.node };
    const container = pod('payments', p.name, 'api');
    t.core(start + 1, `pay-pulling-${i}`, container, {
      ...kubelet,
      type: 'Normal',
      reason: 'Pulling',
      message: `Pulling image "${BAD_IMAGE}"`,
    });
    t.core(start + 2.5, `pay-notfound-${i}`, container, {
      ...kubelet,
      type: 'Warning',
      reason: 'Failed',
      message:
        `Failed to pull image "${BAD_IMAGE}": rpc error: code = NotFound desc = failed to pull and unpack image ` +
        `"${BAD_IMAGE}": failed to resolve reference "${BAD_IMAGE}": ${BAD_IMAGE}: not found`,
    });
    t.core(start + 2.6, `pay-errpull-${i}`, container, {
      ...kubelet,
      type: 'Warning',
      reason: 'Failed',
      message: 'Error: ErrImagePull',
    });
    t.core(start + 3.5, `pay-backoff-${i}`, container, {
      ...kubelet,
      type: 'Normal',
      reason: 'BackOff',
      message: `Back-off pulling image "${BAD_IMAGE}"`,
    });
    t.core(start + 3.6, `pay-pullbackoff-${i}`, container, {
      ...kubelet,
      type: 'Warning',
      reason: 'Failed',
      message: 'Error: ImagePullBackOff',
    });
    // The pod on the node that is lost at 14 s falls silent then: its kubelet reports nothing more.
    const until = p.node === NODE_LOST ? 13.5 : 34;
    const retries = every(start + 8, until, 6.5);
    for (const key of [`pay-pulling-${i}`, `pay-notfound-${i}`, `pay-errpull-${i}`]) t.repeat(key, retries);
    const backoffs = every(start + 5.5, until, 2.2);
    for (const key of [`pay-backoff-${i}`, `pay-pullbackoff-${i}`]) t.repeat(key, backoffs);
  });

  // 2. A node stops reporting: the node lifecycle controller marks it and its pods NotReady, then the taint
  //    manager evicts them; one replacement does not fit anywhere until the node is back.
  t.v1(14, 'node-notready', node(NODE_LOST), {
    type: 'Normal',
    reason: 'NodeNotReady',
    message: `Node ${NODE_LOST} status is now: NodeNotReady`,
    reporter: 'node-controller',
    action: 'NodeNotReady',
  });
  const stranded = [
    pod('checkout', 'web-5f6c9d8b7-m2n4p'),
    pod('checkout', 'web-5f6c9d8b7-r7t9v'),
    pod('payments', badPods[2]!.name),
    pod('kube-system', 'coredns-6d8c4cb4d-fx2kq'),
  ];
  stranded.forEach((p, i) => {
    t.core(14.5 + i * 0.1, `stranded-${i}`, p, {
      type: 'Warning',
      reason: 'NodeNotReady',
      message: 'Node is not ready',
      reporter: 'node-controller',
    });
    t.core(20 + i * 0.1, `evicted-${i}`, p, {
      type: 'Normal',
      reason: 'TaintManagerEviction',
      message: `Marking for deletion Pod ${p.namespace}/${p.name}`,
      reporter: 'taint-eviction-controller',
    });
  });
  const replacements = ['web-5f6c9d8b7-h8k2w', 'web-5f6c9d8b7-z5x8c'];
  replacements.forEach((name, i) => {
    t.core(
      20.5 + i * 0.1,
      `checkout-create-${i}`,
      {
        kind: 'ReplicaSet',
        namespace: 'checkout',
        name: 'web-5f6c9d8b7',
      },
      {
        type: 'Normal',
        reason: 'SuccessfulCreate',
        message: `Created pod: ${name}`,
        reporter: 'replicaset-controller',
      },
    );
  });
  t.v1(21, 'checkout-scheduled', pod('checkout', replacements[0]!), {
    type: 'Normal',
    reason: 'Scheduled',
    message: `Successfully assigned checkout/${replacements[0]} to ${NODE_B}`,
    reporter: 'default-scheduler',
    action: 'Binding',
  });
  t.v1(21.2, 'checkout-unschedulable', pod('checkout', replacements[1]!), {
    type: 'Warning',
    reason: 'FailedScheduling',
    message:
      '0/3 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, ' +
      '2 Insufficient memory. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, ' +
      '2 No preemption victims found for incoming pod.',
    reporter: 'default-scheduler',
    action: 'Scheduling',
  });
  t.repeat('checkout-unschedulable', [25, 29, 33, 37]);
  const started = (at: number, key: string, p: Regarding, host: string, image: string, container: string) => {
    const kubelet = { reporter: 'kubelet', host };
    const c = { ...p, fieldPath: `spec.containers{${container}}` };
    t.core(at, `${key}-pulled`, c, {
      ...kubelet,
      type: 'Normal',
      reason: 'Pulled',
      message: `Container image "${image}" already present on machine`,
    });
    t.core(at + 0.1, `${key}-created`, c, {
      ...kubelet,
      type: 'Normal',
      reason: 'Created',
      message: `Created container: ${container}`,
    });
    t.core(at + 0.2, `${key}-started`, c, {
      ...kubelet,
      type: 'Normal',
      reason: 'Started',
      message: `Started container ${container}`,
    });
  };
  started(
    22,
    'checkout-h8k2w',
    pod('checkout', replacements[0]!),
    NODE_B,
    `${REGISTRY}/checkout-web:5.8.2`,
    'web',
  );

  // 3. The search indexer's JVM outgrows its memory limit: the kernel OOM-kills it, the kubelet restarts it with
  //    growing back-off.
  const oomMessage =
    'Memory cgroup out of memory: Killed process 48213 (java) total-vm:8391456kB, anon-rss:4190332kB, ' +
    'file-rss:24316kB, shmem-rss:0kB, UID:1000 pgtables:8924kB oom_score_adj:986';
  t.core(17, 'oom', node(NODE_C), {
    type: 'Warning',
    reason: 'OOMKilling',
    message: oomMessage,
    reporter: 'kernel-monitor',
    host: NODE_C,
  });
  t.repeat('oom', [20.5, 24, 27.5, 31, 34.5]);
  const indexer = pod('search', 'indexer-0');
  started(17.5, 'indexer', indexer, NODE_C, INDEXER_IMAGE, 'indexer');
  for (const key of ['indexer-pulled', 'indexer-created', 'indexer-started'])
    t.repeat(key, [21, 24.5, 28, 31.5]);
  t.core(
    18.5,
    'indexer-crashloop',
    { ...indexer, fieldPath: 'spec.containers{indexer}' },
    {
      type: 'Warning',
      reason: 'BackOff',
      message:
        'Back-off restarting failed container indexer in pod indexer-0_search(8e2f6a1c-4b7d-4e0a-9c31-5d2f8b6e7a90)',
      reporter: 'kubelet',
      host: NODE_C,
    },
  );
  t.repeat('indexer-crashloop', every(20, 36, 1.6));

  // 4. Checkout runs on one pod too many short: readiness fails under load, liveness times out, and a restart
  //    follows. Search's replica reports red health while it re-indexes (the local rules silence that).
  const probe = (at: number, key: string, p: Regarding, host: string, message: string, repeats: number[]) => {
    t.core(
      at,
      key,
      { ...p, fieldPath: 'spec.containers{web}' },
      {
        type: 'Warning',
        reason: 'Unhealthy',
        message,
        reporter: 'kubelet',
        host,
      },
    );
    t.repeat(key, repeats);
  };
  const readiness = 'Readiness probe failed: HTTP probe failed with statuscode: 503';
  probe(23.5, 'probe-h8k2w', pod('checkout', replacements[0]!), NODE_B, readiness, every(25, 37, 1.5));
  probe(24, 'probe-b3d6f', pod('checkout', 'web-5f6c9d8b7-b3d6f'), NODE_C, readiness, every(26, 36, 2));
  probe(
    27,
    'liveness-b3d6f',
    pod('checkout', 'web-5f6c9d8b7-b3d6f'),
    NODE_C,
    'Liveness probe failed: Get "http://10.0.4.23:8080/healthz": context deadline exceeded ' +
      '(Client.Timeout exceeded while awaiting headers)',
    [30, 33],
  );
  t.core(33.5, 'killing-b3d6f', pod('checkout', 'web-5f6c9d8b7-b3d6f', 'web'), {
    type: 'Normal',
    reason: 'Killing',
    message: 'Container web failed liveness probe, will be restarted',
    reporter: 'kubelet',
    host: NODE_C,
  });
  t.core(
    26,
    'search-probe',
    { ...pod('search', 'indexer-1'), fieldPath: 'spec.containers{indexer}' },
    {
      type: 'Warning',
      reason: 'Unhealthy',
      message: 'Readiness probe failed: cluster health is red: 12 of 48 shards unassigned (re-indexing)',
      reporter: 'kubelet',
      host: NODE_B,
    },
  );
  t.repeat('search-probe', every(28, 36, 2));

  // 5. Recovery: the release is redone with the right tag, the node comes back and takes the pending pod, and
  //    the indexer gets a higher memory limit.
  const goodRs = 'api-5b7c9d8e6';
  t.core(
    36,
    'pay-fixed-up',
    { kind: 'Deployment', namespace: 'payments', name: 'api' },
    {
      type: 'Normal',
      reason: 'ScalingReplicaSet',
      message: `Scaled up replica set ${goodRs} to 3`,
      reporter: 'deployment-controller',
    },
  );
  const goodPod = `${goodRs}-d4f7h`;
  t.core(37, 'pay-good-pulled', pod('payments', goodPod, 'api'), {
    type: 'Normal',
    reason: 'Pulled',
    message: `Successfully pulled image "${GOOD_IMAGE}" in 1.204s (1.204s including waiting). Image size: 48213376 bytes.`,
    reporter: 'kubelet',
    host: NODE_B,
  });
  t.core(37.2, 'pay-good-started', pod('payments', goodPod, 'api'), {
    type: 'Normal',
    reason: 'Started',
    message: 'Started container api',
    reporter: 'kubelet',
    host: NODE_B,
  });
  t.core(
    40,
    'pay-scale-down',
    { kind: 'Deployment', namespace: 'payments', name: 'api' },
    {
      type: 'Normal',
      reason: 'ScalingReplicaSet',
      message: `Scaled down replica set ${badRs} to 0 from 3`,
      reporter: 'deployment-controller',
    },
  );
  t.v1(38, 'node-ready', node(NODE_LOST), {
    type: 'Normal',
    reason: 'NodeReady',
    message: `Node ${NODE_LOST} status is now: NodeReady`,
    reporter: 'node-controller',
    action: 'NodeReady',
  });
  t.v1(39, 'checkout-rescheduled', pod('checkout', replacements[1]!), {
    type: 'Normal',
    reason: 'Scheduled',
    message: `Successfully assigned checkout/${replacements[1]} to ${NODE_LOST}`,
    reporter: 'default-scheduler',
    action: 'Binding',
  });
  t.core(
    41,
    'indexer-recreate',
    { kind: 'StatefulSet', namespace: 'search', name: 'indexer' },
    {
      type: 'Normal',
      reason: 'SuccessfulCreate',
      message: 'create Pod indexer-0 in StatefulSet indexer successful',
      reporter: 'statefulset-controller',
    },
  );
  started(42, 'indexer-new', indexer, NODE_B, INDEXER_IMAGE, 'indexer');

  return t.steps.sort((a, b) => a.at - b.at);
}

const steps = build();

/** The bundled incident: a bad image tag rollout, a node going NotReady, an OOM loop, probe failures, recovery. */
export const INCIDENT: Incident = {
  title: 'bad image tag rollout, node NotReady, OOM loop, probe failures, then recovery',
  namespaces,
  steps,
  durationSeconds: steps.at(-1)!.at,
};
