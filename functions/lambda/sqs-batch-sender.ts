import type { SendMessageBatchCommand, SendMessageBatchRequestEntry, SQSClient } from '@aws-sdk/client-sqs';

/** The part of an SQS client the function's writers use. */
export type SqsSender = Pick<SQSClient, 'send'>;

/**
 * An SQS client, or how to make one when the first message needs it: most cold starts never dead-letter or defer,
 * so the SDK's SQS client need not be loaded (parsed, initialised) before the first batch.
 */
export type SqsSenderSource = SqsSender | (() => Promise<SqsSender>);

// SendMessageBatch takes at most ten entries.
const BATCH = 10;

/**
 * Sends messages with `SendMessageBatch`, ten at a time, the batches at once; answers the `Id`s SQS did not take.
 * A failure to make the client fails every entry, and is tried again on the next call.
 */
export class SqsBatchSender {
  private client: SqsSender | undefined;

  constructor(private readonly source: SqsSenderSource) {}

  async send(queueUrl: string, entries: readonly SendMessageBatchRequestEntry[]): Promise<string[]> {
    let sqs: SqsSender;
    let command: typeof SendMessageBatchCommand;
    try {
      this.client ??= typeof this.source === 'function' ? await this.source() : this.source;
      sqs = this.client;
      command = (await import('./sqs-client.ts')).SendMessageBatchCommand;
    } catch {
      return entries.map((entry) => entry.Id!);
    }
    const chunks: Promise<string[]>[] = [];
    for (let i = 0; i < entries.length; i += BATCH) {
      const chunk = entries.slice(i, i + BATCH);
      chunks.push(
        sqs.send(new command({ QueueUrl: queueUrl, Entries: chunk })).then(
          (result) => (result.Failed ?? []).map((failure) => failure.Id!),
          () => chunk.map((entry) => entry.Id!),
        ),
      );
    }
    return (await Promise.all(chunks)).flat();
  }
}
