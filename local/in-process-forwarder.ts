import { KubeConfig } from '@kubernetes/client-node';
import type { SQSClient } from '@aws-sdk/client-sqs';
import {
  Forwarder,
  ForwarderMetrics,
  forwarderKubeApi,
  forwarderSettings,
  parseForwarderConfig,
  sqsQueueClient,
  systemClock,
  type Logger,
} from '../forwarder/index.ts';

/** What an in-process forwarder watches and where it sends. */
export interface InProcessForwarderOptions {
  /** A kubeconfig as YAML (the fake API server's `kubeconfig()`, or a file's contents). */
  kubeconfig: string;
  sqs: SQSClient;
  queueUrl: string;
  clusterName: string;
  logger: Logger;
  metrics?: ForwarderMetrics;
  /** Extra flags, as the `forwarder` command takes them (e.g. `maxEventAge`). */
  flags?: Record<string, unknown>;
}

/**
 * The deployed forwarder's code and defaults, run in this process against `kubeconfig`: one replica, no leader
 * election, no checkpoint ConfigMap unless the flags ask for one. For `npm start` and the drills.
 */
export async function startInProcessForwarder(options: InProcessForwarderOptions): Promise<Forwarder> {
  const kc = new KubeConfig();
  kc.loadFromString(options.kubeconfig);
  const config = parseForwarderConfig(
    {
      queueUrl: options.queueUrl,
      clusterName: options.clusterName,
      leaderElect: false,
      checkpointConfigmap: '',
      gracePeriod: '5s',
      ...options.flags,
    },
    {},
  );
  const forwarder = new Forwarder({
    ...forwarderSettings(config),
    kube: forwarderKubeApi(kc),
    queue: sqsQueueClient(options.sqs, options.queueUrl),
    clock: systemClock,
    logger: options.logger,
    metrics: options.metrics ?? new ForwarderMetrics(),
  });
  await forwarder.start();
  return forwarder;
}
