import type { SendMessageBatchCommand as SendMessageBatch, SQSClient } from '@aws-sdk/client-sqs';
import type { DeadLetter } from '../pipeline/index.ts';

/** A queue message to dead-letter: its original body and why. */
export interface DeadLetterEntry extends DeadLetter {
  body: string;
}

/** Puts messages on the DLQ; returns the message ids it could not put there. */
export interface DeadLetterQueue {
  send(entries: readonly DeadLetterEntry[]): Promise<string[]>;
}

/** Message attributes that carry the reason with every dead letter, so whoever reads the DLQ knows why. */
export const DEAD_LETTER_ATTRIBUTES = {
  reason: 'kube-wecom-reason',
  errcode: 'kube-wecom-errcode',
  sourceMessageId: 'kube-wecom-source-message-id',
  failedAt: 'kube-wecom-failed-at',
} as const;

/** The part of an SQS client the DLQ writer uses. */
export type SqsSender = Pick<SQSClient, 'send'>;

/**
 * An SQS client, or how to make one when the first dead letter comes: most cold starts never dead-letter, so the
 * SDK's SQS client need not be loaded (parsed, initialised) before the first batch.
 */
export type SqsSenderSource = SqsSender | (() => Promise<SqsSender>);

// SQS limits an attribute value to the message size, but a reason longer than this helps nobody.
const MAX_REASON = 1000;

/**
 * Sends dead letters straight to the DLQ with the reason as message attributes, instead of letting SQS move them
 * after `maxReceiveCount` failed receives: a permanent failure (bad key, poison) cannot succeed on a retry, and
 * the redrive policy would drop the reason on the way.
 */
export class SqsDeadLetterQueue implements DeadLetterQueue {
  private client: SqsSender | undefined;

  constructor(
    private readonly sqs: SqsSenderSource,
    private readonly queueUrl: string,
    private readonly clock: () => number = Date.now,
  ) {}

  async send(entries: readonly DeadLetterEntry[]): Promise<string[]> {
    let sqs: SqsSender;
    let SendMessageBatchCommand: typeof SendMessageBatch;
    try {
      // Made on the first dead letter; a failure to make it fails this batch's letters and is tried again next time.
      this.client ??= typeof this.sqs === 'function' ? await this.sqs() : this.sqs;
      sqs = this.client;
      ({ SendMessageBatchCommand } = await import('./sqs-client.ts'));
    } catch {
      return entries.map((entry) => entry.messageId);
    }
    const failed: string[] = [];
    for (let i = 0; i < entries.length; i += 10) {
      const chunk = entries.slice(i, i + 10);
      try {
        const result = await sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: this.queueUrl,
            Entries: chunk.map((entry, j) => ({
              Id: String(j),
              MessageBody: entry.body,
              MessageAttributes: this.attributes(entry),
            })),
          }),
        );
        for (const failure of result.Failed ?? []) failed.push(chunk[Number(failure.Id)]!.messageId);
      } catch {
        failed.push(...chunk.map((entry) => entry.messageId));
      }
    }
    return failed;
  }

  private attributes(entry: DeadLetterEntry) {
    const attributes: Record<string, { DataType: string; StringValue: string }> = {
      [DEAD_LETTER_ATTRIBUTES.reason]: { DataType: 'String', StringValue: entry.reason.slice(0, MAX_REASON) },
      [DEAD_LETTER_ATTRIBUTES.sourceMessageId]: { DataType: 'String', StringValue: entry.messageId },
      [DEAD_LETTER_ATTRIBUTES.failedAt]: {
        DataType: 'String',
        StringValue: new Date(this.clock()).toISOString(),
      },
    };
    if (entry.errcode !== null) {
      attributes[DEAD_LETTER_ATTRIBUTES.errcode] = { DataType: 'Number', StringValue: String(entry.errcode) };
    }
    return attributes;
  }
}
