import { SQSClient } from '@aws-sdk/client-sqs';
import type { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { systemClock } from './ports.ts';
import type { ForwarderConfig } from './config/index.ts';
import { Forwarder } from './forwarder.ts';
import type { ForwarderOptions } from './forwarder.ts';
import { HealthServer } from './http/index.ts';
import { httpKubeApi, loadKubeConfig } from './kube/index.ts';
import type { KubeApi } from './kube/index.ts';
import { ForwarderMetrics } from './metrics/index.ts';
import { sqsQueueClient } from './queue/index.ts';

/** Server-side watch timeout; client-go picks 5–10 min, we stay under typical load-balancer idle limits. */
const WATCH_TIMEOUT_SECONDS = 240;

/** The Kubernetes client over a kubeconfig, with the watch timeouts the forwarder runs with. */
export function forwarderKubeApi(kc: KubeConfig): KubeApi {
  // A silent watch is trusted a little longer than the server's own timeout, so quiet watches end on its terms.
  return httpKubeApi(kc, { watchInactivityMs: (WATCH_TIMEOUT_SECONDS + 30) * 1000 });
}

/** What a {@link Forwarder} is injected with; {@link forwarderSettings} gives the rest. */
export type ForwarderClients = Pick<ForwarderOptions, 'kube' | 'queue' | 'clock' | 'logger' | 'metrics'>;

/** The forwarder's settings for a configuration, as the deployed process runs it (`npm start` runs it so too). */
export function forwarderSettings(config: ForwarderConfig): Omit<ForwarderOptions, keyof ForwarderClients> {
  return {
    clusterName: config.clusterName,
    api: config.api,
    types: config.types,
    namespaces: config.namespaces,
    maxEventAgeMs: config.maxEventAgeMs,
    ...(config.checkpoint ? { checkpoint: { ...config.checkpoint, intervalMs: 5000 } } : {}),
    ...(config.leaderElection
      ? {
          leaderElection: {
            ...config.leaderElection,
            leaseDurationMs: 15_000,
            renewDeadlineMs: 10_000,
            retryPeriodMs: 2000,
          },
        }
      : {}),
    bufferMaxEvents: config.bufferMaxEvents,
    bufferMaxBytes: config.bufferMaxBytes,
    lingerMs: config.lingerMs,
    sendConcurrency: config.sendConcurrency,
    watchTimeoutSeconds: WATCH_TIMEOUT_SECONDS,
    graceMs: config.graceMs,
  };
}

/** A running forwarder process with its probe server. */
export interface RunningForwarder {
  forwarder: Forwarder;
  health: HealthServer;
  /** Graceful shutdown (what SIGTERM does), without exiting the process. */
  shutdown(): Promise<void>;
}

/**
 * Builds the real clients from the configuration and starts forwarding; with `handleSignals`, SIGTERM/SIGINT
 * flush, checkpoint and exit 0. The SQS endpoint, region and credentials (IRSA included) follow the AWS SDK's
 * own environment; an `AWS_ENDPOINT_URL_SQS` is passed explicitly because the SDK otherwise prefers the queue
 * URL's host, which breaks local emulators.
 */
export async function runForwarder(
  config: ForwarderConfig,
  options: { handleSignals: boolean },
): Promise<RunningForwarder> {
  const logger = pino({
    level: config.logLevel,
    base: { app: 'kube-wecom-forwarder', cluster: config.clusterName },
  });
  const endpoint = process.env.AWS_ENDPOINT_URL_SQS || process.env.AWS_ENDPOINT_URL;
  const sqs = new SQSClient(endpoint ? { endpoint } : {});
  const metrics = new ForwarderMetrics({ defaultMetrics: true });
  const forwarder = new Forwarder({
    ...forwarderSettings(config),
    kube: forwarderKubeApi(loadKubeConfig(config.kubeconfig)),
    queue: sqsQueueClient(sqs, config.queueUrl),
    clock: systemClock,
    logger,
    metrics,
  });
  const health = await HealthServer.start({
    ...config.listen,
    registry: metrics.registry,
    status: () => forwarder.status(),
  });
  logger.info(
    {
      listen: `${config.listen.host}:${health.port}`,
      queueUrl: config.queueUrl,
      leaderElection: Boolean(config.leaderElection),
    },
    'forwarder starting',
  );
  await forwarder.start();

  let shuttingDown: Promise<void> | undefined;
  const shutdown = () =>
    (shuttingDown ??= (async () => {
      await forwarder.stop();
      await health.close();
      sqs.destroy();
      logger.info({}, 'forwarder stopped');
    })());
  if (options.handleSignals) {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(signal, () => {
        logger.info({ signal }, 'shutting down');
        shutdown().then(
          () => process.exit(0),
          (err) => {
            logger.error({ err: String(err) }, 'shutdown failed');
            process.exit(1);
          },
        );
      });
    }
  }
  return { forwarder, health, shutdown };
}
