/**
 * What the DLQ writer uses of the SQS client, re-exported by name so the bundler keeps only that: a dynamic
 * `import('@aws-sdk/client-sqs')` would keep every command and schema of the service in the artifact's SQS chunk.
 */
export { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
