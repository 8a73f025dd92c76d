import type { KubeConfig } from '@kubernetes/client-node';
import type { SQSClient } from '@aws-sdk/client-sqs';
import {
  Forwarder,
  ForwarderMetrics,
  forwarderKubeApi,
  forwarderSettings,
  parseForwarderConfig,
  sqsQueueClient,
  systemClock,
  type ForwarderConfig,
  type Logger,
} from '../forwarder/index.ts';

/** What an in-process forwarder watches and where it sends. */
export interface InProcessForwarderOptions {
  kubeConfig: KubeConfig;
  sqs: SQSClient;
  queueUrl: string;
  clusterName: string;
  logger: Logger;
  metrics?: ForwarderMetrics;
  /** More flags, as the `forwarder` command takes them (e.g. `maxEventAge`, `checkpointConfigmap: ''`). */
  flags?: Record<string, unknown>;
}

/**
 * The deployed forwarder's code and defaults, built to run in this process against `kubeConfig`: one replica, no
 * leader election. For `npm start` and the drills; the caller starts it (and may first prepare what `config`
 * names, such as the checkpoint's namespace).
 */
export function inProcessForwarder(options: InProcessForwarderOptions): {
  forwarder: Forwarder;
  config: ForwarderConfig;
} {
  const config = parseForwarderConfig(
    {
      queueUrl: options.queueUrl,
      clusterName: options.clusterName,
      leaderElect: false,
      gracePeriod: '5s',
      ...options.flags,
    },
    {},
  );
  const forwarder = new Forwarder({
    ...forwarderSettings(config),
    kube: forwarderKubeApi(options.kubeConfig),
    queue: sqsQueueClient(options.sqs, options.queueUrl),
    clock: systemClock,
    logger: options.logger,
    metrics: options.metrics ?? new ForwarderMetrics(),
  });
  return { forwarder, config };
}
