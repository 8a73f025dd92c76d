export {
  EventSourceMapping,
  InvalidBatchResponseError,
  InvocationTimeoutError,
  type BatchOutcome,
  type EventSourceMappingOptions,
} from './event-source-mapping.ts';
export { createLambdaContext, type LambdaContextOptions } from './lambda-context.ts';
export { toSqsRecord, type RecordSource } from './sqs-record.ts';
export { inProcessForwarder, type InProcessForwarderOptions } from './in-process-forwarder.ts';
export { startLocalStateTable, type LocalStateTable } from './start/index.ts';
