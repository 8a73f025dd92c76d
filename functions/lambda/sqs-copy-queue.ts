import type { CopyQueue, QueuedCopy } from '../deferral/index.ts';
import { SqsBatchSender, type SqsSenderSource } from './sqs-batch-sender.ts';

// SQS delays a message by at most 15 minutes.
const MAX_DELAY_SECONDS = 900;

/** Puts re-enqueued copies (see `functions/deferral`) back on the events queue, each with its own delay. */
export class SqsCopyQueue implements CopyQueue {
  private readonly sender: SqsBatchSender;

  constructor(
    sqs: SqsSenderSource,
    private readonly queueUrl: string,
  ) {
    this.sender = new SqsBatchSender(sqs);
  }

  async enqueue(copies: readonly QueuedCopy[]): Promise<number[]> {
    const failed = await this.sender.send(
      this.queueUrl,
      copies.map((copy, i) => ({
        Id: String(i),
        MessageBody: copy.body,
        DelaySeconds: Math.max(0, Math.min(MAX_DELAY_SECONDS, Math.ceil(copy.delaySeconds))),
      })),
    );
    return failed.map(Number);
  }
}
