import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSHandler } from 'aws-lambda';
import { compileRules } from '../rules/index.ts';
import type { Bundle } from '../bundle/index.ts';
import { compileRenderer } from '../render/index.ts';
import { allowedHostsFromEnv, WebhookResolver, WecomClient } from '../channels/wecom/index.ts';
import type { SsmSender, WecomClientOptions } from '../channels/wecom/index.ts';
import { createHandler } from './create-handler.ts';
import { SqsDeadLetterQueue } from './dead-letter-queue.ts';
import { powertoolsLogger, powertoolsMetrics } from './observability.ts';
import type { Clock, Logger } from '../ports.ts';
import type { BatchMetrics } from './observability.ts';
import { WebhookSender } from './webhook-sender.ts';

/** The environment the function reads, and the clients tests and `npm start` may swap. */
export interface ColdStartOptions {
  bundle: Bundle;
  env: NodeJS.ProcessEnv;
  /** Client for the DLQ (default: from the SDK's environment settings). */
  sqs?: SQSClient;
  ssm?: SsmSender;
  /** The one log of the function: the handler's lines and the WeCom client's retries and warnings. */
  logger?: Logger;
  metrics?: BatchMetrics;
  clock?: Clock;
  /**
   * Options of the WeCom client (its sleep, backoff…). Allowed hosts come only from
   * `KUBE_WECOM_ALLOWED_WEBHOOK_HOSTS`, the clock from `clock` and the logger from `logger`, so these cannot
   * override them.
   */
  wecom?: Omit<WecomClientOptions, 'allowedHosts' | 'clock' | 'logger'>;
}

/**
 * Builds the handler once per cold start: compiles rules and templates, starts resolving every webhook reference
 * (SSM in batches, never logged), and wires the WeCom client (allow-listed hosts from
 * `KUBE_WECOM_ALLOWED_WEBHOOK_HOSTS`), the DLQ (`KUBE_WECOM_DLQ_URL`) and the queue's redrive limit
 * (`KUBE_WECOM_MAX_RECEIVE_COUNT`), so a message failing on its last receive reaches the DLQ with its reason.
 */
export function buildHandler(options: ColdStartOptions): SQSHandler {
  const { bundle, env } = options;
  const clock = options.clock ?? Date.now;
  const logger = options.logger ?? powertoolsLogger();
  const engine = compileRules(bundle);
  const renderer = compileRenderer(bundle, { now: clock });
  const resolver = new WebhookResolver({ env, ...(options.ssm ? { ssm: options.ssm } : {}) });
  const client = new WecomClient({ ...options.wecom, allowedHosts: allowedHostsFromEnv(env), clock, logger });
  const sender = new WebhookSender(bundle, resolver, client);
  sender.warmUp();
  const dlqUrl = env.KUBE_WECOM_DLQ_URL;
  return createHandler({
    pipeline: { engine, renderer, sender },
    deadLetters: dlqUrl ? new SqsDeadLetterQueue(options.sqs ?? defaultSqsClient, dlqUrl, clock) : undefined,
    logger,
    metrics: options.metrics ?? powertoolsMetrics(),
    clock,
    ...(Number(env.KUBE_WECOM_MAX_RECEIVE_COUNT) > 0
      ? { maxReceiveCount: Number(env.KUBE_WECOM_MAX_RECEIVE_COUNT) }
      : {}),
  });
}

/** The SDK's SQS client from the environment's settings, loaded only when the first dead letter needs it. */
async function defaultSqsClient(): Promise<SQSClient> {
  const { SQSClient } = await import('./sqs-client.ts');
  return new SQSClient({});
}
