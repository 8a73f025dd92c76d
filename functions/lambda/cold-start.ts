import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSHandler } from 'aws-lambda';
import { BudgetLedger, createBudgetClient, DynamoBudgetStore, MemoryBudgetStore } from '../budget/index.ts';
import { DynamoPendingStore } from '../deferral/index.ts';
import type { BatchResult } from '../pipeline/index.ts';
import { compileRules } from '../rules/index.ts';
import type { Bundle } from '../bundle/index.ts';
import { compileRenderer } from '../render/index.ts';
import { allowedHostsFromEnv, WebhookResolver, WecomClient } from '../channels/wecom/index.ts';
import type { SsmSender, WecomClientOptions } from '../channels/wecom/index.ts';
import { createHandler } from './create-handler.ts';
import { SqsDeadLetterQueue } from './dead-letter-queue.ts';
import { SqsCopyQueue } from './sqs-copy-queue.ts';
import { powertoolsLogger, powertoolsMetrics } from './observability.ts';
import type { Clock, Logger } from '../ports.ts';
import type { BatchMetrics } from './observability.ts';
import { WebhookSender } from './webhook-sender.ts';
import { ChannelDelivery } from './channel-delivery.ts';

/** The environment the function reads, and the clients tests and `npm start` may swap. */
export interface ColdStartOptions {
  bundle: Bundle;
  env: NodeJS.ProcessEnv;
  /** Client for the DLQ and re-enqueued copies (default: from the SDK's environment settings). */
  sqs?: SQSClient;
  /** Client for the state table (default: from the SDK's environment settings, with short timeouts). */
  dynamodb?: DynamoDBClient;
  /** Sees every batch's result (`npm start`'s page, the drills); production needs none. */
  observer?: (result: BatchResult) => void;
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
 * The shared per-robot budget and the parked events live in the state table (`KUBE_WECOM_STATE_TABLE`); wake-ups
 * and copies go back on the events queue (`KUBE_WECOM_EVENTS_QUEUE_URL`). Without a table the budget is this
 * process's alone, which only suits a single process (`preview`, tests), and the handler says so at start.
 */
export function buildHandler(options: ColdStartOptions): SQSHandler {
  const { bundle, env } = options;
  const clock = options.clock ?? Date.now;
  const logger = options.logger ?? powertoolsLogger();
  const engine = compileRules(bundle);
  const renderer = compileRenderer(bundle, { now: clock });
  const resolver = new WebhookResolver({ env, ...(options.ssm ? { ssm: options.ssm } : {}) });
  const allowedHosts = allowedHostsFromEnv(env);
  const client = new WecomClient({ ...options.wecom, allowedHosts, clock, logger });
  const channels = new ChannelDelivery(resolver, { allowedHosts, clock });
  const table = env.KUBE_WECOM_STATE_TABLE;
  if (!table) logger.warn("KUBE_WECOM_STATE_TABLE is not set: robot budgets are this process's alone", {});
  const dynamodb = table ? (options.dynamodb ?? createBudgetClient()) : undefined;
  const ledger = new BudgetLedger({
    store: dynamodb ? new DynamoBudgetStore(dynamodb, table!) : new MemoryBudgetStore(),
    logger,
    ...(Number(env.KUBE_WECOM_MAX_CONCURRENCY) > 0
      ? { concurrency: Number(env.KUBE_WECOM_MAX_CONCURRENCY) }
      : {}),
  });
  const sleep = options.wecom?.sleep;
  const sender = new WebhookSender({
    bundle,
    resolver,
    client,
    channels,
    ledger,
    clock,
    ...(sleep ? { sleep } : {}),
  });
  sender.warmUp();
  const dlqUrl = env.KUBE_WECOM_DLQ_URL;
  const eventsQueueUrl = env.KUBE_WECOM_EVENTS_QUEUE_URL;
  const sqs = options.sqs ?? defaultSqsClient;
  const maxReceiveCount = Number(env.KUBE_WECOM_MAX_RECEIVE_COUNT);
  return createHandler({
    pipeline: {
      engine,
      renderer,
      sender,
      // `repeat.every` windows are won in the same table as the budget: one per (event, receiver, window).
      claims: ledger,
      deferral: {
        // Without the table, waiting events never park in this process's memory, which dies with the container:
        // they go back on the queue as copies, or to SQS's redelivery.
        pending: dynamodb ? new DynamoPendingStore(dynamodb, table!) : undefined,
        copies: eventsQueueUrl ? new SqsCopyQueue(sqs, eventsQueueUrl) : undefined,
        logger,
      },
      ...(maxReceiveCount > 0 ? { maxFailures: maxReceiveCount } : {}),
    },
    deadLetters: dlqUrl ? new SqsDeadLetterQueue(sqs, dlqUrl, clock) : undefined,
    logger,
    ...(options.observer ? { observer: options.observer } : {}),
    metrics: options.metrics ?? powertoolsMetrics(),
    clock,
    ...(maxReceiveCount > 0 ? { maxReceiveCount } : {}),
  });
}

/** The SDK's SQS client from the environment's settings, loaded only when the first dead letter needs it. */
async function defaultSqsClient(): Promise<SQSClient> {
  const { SQSClient } = await import('./sqs-client.ts');
  return new SQSClient({});
}
