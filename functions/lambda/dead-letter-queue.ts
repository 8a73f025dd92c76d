import type { DeadLetter } from '../pipeline/index.ts';
import { SqsBatchSender, type SqsSenderSource } from './sqs-batch-sender.ts';

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

// SQS limits an attribute value to the message size, but a reason longer than this helps nobody.
const MAX_REASON = 1000;

/**
 * Sends dead letters straight to the DLQ with the reason as message attributes, instead of letting SQS move them
 * after `maxReceiveCount` failed receives: a permanent failure (bad key, poison) cannot succeed on a retry, and
 * the redrive policy would drop the reason on the way.
 */
export class SqsDeadLetterQueue implements DeadLetterQueue {
  private readonly sender: SqsBatchSender;

  constructor(
    sqs: SqsSenderSource,
    private readonly queueUrl: string,
    private readonly clock: () => number = Date.now,
  ) {
    this.sender = new SqsBatchSender(sqs);
  }

  async send(entries: readonly DeadLetterEntry[]): Promise<string[]> {
    const failed = await this.sender.send(
      this.queueUrl,
      entries.map((entry, i) => ({
        Id: String(i),
        MessageBody: entry.body,
        MessageAttributes: this.attributes(entry),
      })),
    );
    return failed.map((id) => entries[Number(id)]!.messageId);
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
