/** The Lambda side: the SQS handler factory, its cold start, the DLQ writer and observability. */
export { buildHandler } from './cold-start.ts';
export type { ColdStartOptions } from './cold-start.ts';
export { createHandler } from './create-handler.ts';
export type { HandlerDeps } from './create-handler.ts';
export { SqsDeadLetterQueue, DEAD_LETTER_ATTRIBUTES } from './dead-letter-queue.ts';
export type { DeadLetterEntry, DeadLetterQueue } from './dead-letter-queue.ts';
export type { SqsSender, SqsSenderSource } from './sqs-batch-sender.ts';
export { SqsCopyQueue } from './sqs-copy-queue.ts';
export { WebhookSender } from './webhook-sender.ts';
export type { BatchMetrics } from './observability.ts';
