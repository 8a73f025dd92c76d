import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { BatchStats } from '../pipeline/index.ts';

/** The logging the handler does, narrowed so tests can record it. */
export interface HandlerLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** Where a batch's figures go: CloudWatch EMF in Lambda, a recorder in tests. */
export interface BatchMetrics {
  publish(stats: BatchStats): void;
}

/** Structured JSON logs (Powertools), with the service name from `POWERTOOLS_SERVICE_NAME`. */
export function powertoolsLogger(): HandlerLogger {
  const logger = new Logger({ serviceName: 'kube-wecom' });
  return {
    info: (message, fields) => logger.info(message, fields ?? {}),
    warn: (message, fields) => logger.warn(message, fields ?? {}),
    error: (message, fields) => logger.error(message, fields ?? {}),
  };
}

/**
 * Per-invocation figures as CloudWatch embedded metrics: events in, notified, suppressed by reason, messages sent,
 * retries, failures by errcode, dead letters. Written to stdout in EMF, so they cost no API call.
 */
export function powertoolsMetrics(): BatchMetrics {
  const metrics = new Metrics({ namespace: 'KubeWecom', serviceName: 'kube-wecom' });
  return {
    publish(stats) {
      const count = (name: string, value: number) => metrics.addMetric(name, MetricUnit.Count, value);
      count('Records', stats.records);
      count('PoisonMessages', stats.poison);
      count('EventsIn', stats.events);
      count('EventsNotified', stats.notified);
      count('SuppressedNoRoute', stats.suppressed['no-route'] ?? 0);
      count('SuppressedRepeat', stats.suppressed.repeat ?? 0);
      count('SuppressedSilence', stats.suppressed.silence ?? 0);
      count('MessagesPlanned', stats.messages);
      count('MessagesSent', stats.sent);
      count('OverflowMessages', stats.overflowMessages);
      count('TemplateErrors', stats.templateErrors);
      count('OwnersDropped', stats.ownersDropped);
      count('Retries', stats.retries);
      count('DeadLetters', stats.deadLetters);
      count('RetryLater', stats.retryLater);
      metrics.publishStoredMetrics();
      for (const [errcode, failures] of Object.entries(stats.failuresByErrcode)) {
        metrics
          .singleMetric()
          .addDimension('errcode', errcode)
          .addMetric('DeliveryFailures', MetricUnit.Count, failures);
      }
    },
  };
}
