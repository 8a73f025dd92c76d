/** Batching, buffering and retrying on the way to SQS. */
export { EventBuffer } from './buffer.ts';
export { envelopeBody, sqsSafeJson } from './body.ts';
export type { EnvelopeText } from './body.ts';
export { Fifo } from './fifo.ts';
export type { Outbound } from './buffer.ts';
export { MAX_BATCH_BYTES, MAX_BATCH_ENTRIES, SqsSender } from './sender.ts';
export type { Message, SenderOptions } from './sender.ts';
export { sqsQueueClient } from './sqs.ts';
export type { QueueClient } from './sqs.ts';
