import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { BatchStats } from '../pipeline/index.ts';
import type { Logger } from '../ports.ts';

/** Where a batch's figures go: CloudWatch EMF in Lambda, a recorder in tests. */
export interface BatchMetrics {
  publish(stats: BatchStats): void;
}

/** Structured JSON logs (Powertools), with the service name from `POWERTOOLS_SERVICE_NAME`. */
export function powertoolsLogger(): Logger {
  const logger = new PowertoolsLogger({ serviceName: 'kube-wecom' });
  return {
    debug: (message, fields) => logger.debug(message, fields ?? {}),
    info: (message, fields) => logger.info(message, fields ?? {}),
    warn: (message, fields) => logger.warn(message, fields ?? {}),
    error: (message, fields) => logger.error(message, fields ?? {}),
  };
}

/**
 * Per-invocation figures as CloudWatch embedded metrics: events in, notified, suppressed by reason, messages sent,
 * retries, failures by errcode, dead letters, and the shared budget's slots granted and refused, the events that
 * wait for a slot, and how long parked events waited before a summary carried them. Written to stdout in EMF, so they cost no API call.
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
      count('SlotsGranted', stats.slotsGranted);
      count('SlotsRefused', stats.slotsRefused);
      count('BudgetFallbacks', stats.budgetFallbacks);
      count('EventsDeferred', stats.deferred);
      count('ParkedEventsSent', stats.parkedSent);
      if (stats.parkedSent > 0)
        metrics.addMetric('DeferralDelay', MetricUnit.Milliseconds, stats.deferralDelayMs);
      if (stats.sent > 0) {
        metrics.addMetric(
          'EventsPerMessage',
          MetricUnit.Count,
          (stats.notified + stats.parkedSent) / stats.sent,
        );
      }
      metrics.publishStoredMetrics();
      for (const [receiver, slots] of Object.entries(stats.slotsByReceiver)) {
        const metric = metrics.singleMetric().addDimension('receiver', receiver);
        metric.addMetric('SlotsGranted', MetricUnit.Count, slots.granted);
        metric.addMetric('SlotsRefused', MetricUnit.Count, slots.refused);
      }
      for (const [errcode, failures] of Object.entries(stats.failuresByErrcode)) {
        metrics
          .singleMetric()
          .addDimension('errcode', errcode)
          .addMetric('DeliveryFailures', MetricUnit.Count, failures);
      }
    },
  };
}
