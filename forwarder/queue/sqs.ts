import { GetQueueAttributesCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { SQSClient, SendMessageBatchRequestEntry, SendMessageBatchResult } from '@aws-sdk/client-sqs';

/** The two SQS calls the forwarder makes. */
export interface QueueClient {
  sendBatch(entries: SendMessageBatchRequestEntry[]): Promise<SendMessageBatchResult>;
  /** Throws unless the queue answers (readiness). */
  probe(): Promise<void>;
}

/** {@link QueueClient} over the AWS SDK; endpoint, region and credentials follow the SDK's own configuration. */
export function sqsQueueClient(client: SQSClient, queueUrl: string): QueueClient {
  return {
    sendBatch: (entries) =>
      client.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries })),
    probe: async () => {
      await client.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
    },
  };
}
