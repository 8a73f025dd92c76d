import { setTimeout as sleep } from 'node:timers/promises';
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  StartMessageMoveTaskCommand,
  type Message,
  type MessageAttributeValue,
  type SQSClient,
} from '@aws-sdk/client-sqs';

/** Which way the messages were moved. */
export type RedriveMethod = 'move-task' | 'receive-send-delete';

/** Progress so far; `total` is SQS's approximate DLQ depth when the redrive started (it may be exceeded). */
export interface RedriveProgress {
  moved: number;
  failed: number;
  total: number;
}

export interface RedriveOptions {
  sqs: SQSClient;
  /** Where the messages go back to: the events queue. */
  queueUrl: string;
  dlqUrl: string;
  /** Throttle for StartMessageMoveTask (SQS default: as fast as it can, up to 500/s). */
  maxMessagesPerSecond?: number;
  /** How often to ask SQS how far a move task has got (default 2000 ms). */
  pollIntervalMs?: number;
  onStart?: (method: RedriveMethod, total: number) => void;
  onProgress?: (progress: RedriveProgress) => void;
}

/** The outcome; `failed` messages stay in the DLQ. */
export interface RedriveResult extends RedriveProgress {
  method: RedriveMethod;
}

/** A move task ended in a state other than COMPLETED. */
export class MoveTaskFailedError extends Error {
  override name = 'MoveTaskFailedError';
  constructor(
    readonly status: string,
    readonly reason: string | undefined,
    readonly moved: number,
  ) {
    super(`message move task ${status.toLowerCase()} after ${moved} messages${reason ? `: ${reason}` : ''}`);
  }
}

const BATCH = 10;
// Long enough for a batch to be sent and deleted; a message whose send failed reappears in the DLQ afterwards.
const RECEIVE_VISIBILITY_SECONDS = 30;
// A short long poll: an empty answer then means the DLQ is drained, without sampling a subset of SQS hosts.
const RECEIVE_WAIT_SECONDS = 1;

/**
 * Moves every message of the DLQ back to the events queue. Uses SQS `StartMessageMoveTask` (server side, keeps
 * bodies, attributes and ids) and falls back to receive → send → delete where the API is not implemented
 * (emulators such as fauxqs), sending each message with its body and message attributes and deleting it from
 * the DLQ only once the send succeeded.
 */
export async function redrive(options: RedriveOptions): Promise<RedriveResult> {
  const [queue, dlq] = await Promise.all([
    queueAttributes(options.sqs, options.queueUrl),
    queueAttributes(options.sqs, options.dlqUrl),
  ]);
  const total = Number(dlq.ApproximateNumberOfMessages ?? 0);
  const taskHandle = await startMoveTask(options, dlq.QueueArn!, queue.QueueArn!);
  if (taskHandle !== undefined) {
    options.onStart?.('move-task', total);
    return { method: 'move-task', ...(await followMoveTask(options, dlq.QueueArn!, taskHandle, total)) };
  }
  options.onStart?.('receive-send-delete', total);
  return { method: 'receive-send-delete', ...(await receiveSendDelete(options, total)) };
}

async function queueAttributes(sqs: SQSClient, queueUrl: string) {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['QueueArn', 'ApproximateNumberOfMessages'],
    }),
  );
  if (!Attributes?.QueueArn) throw new Error(`${queueUrl} reported no QueueArn`);
  return Attributes;
}

/** The task handle, or undefined when this SQS does not implement message move tasks. */
async function startMoveTask(options: RedriveOptions, sourceArn: string, destinationArn: string) {
  try {
    const started = await options.sqs.send(
      new StartMessageMoveTaskCommand({
        SourceArn: sourceArn,
        DestinationArn: destinationArn,
        MaxNumberOfMessagesPerSecond: options.maxMessagesPerSecond,
      }),
    );
    return started.TaskHandle;
  } catch (error) {
    // Emulators answer unknown actions with InvalidAction (fauxqs uses the bare name, others a prefixed one).
    if (error instanceof Error && /(?:InvalidAction|UnknownOperation(?:Exception)?)$/.test(error.name))
      return undefined;
    throw error;
  }
}

async function followMoveTask(options: RedriveOptions, sourceArn: string, taskHandle: string, total: number) {
  for (;;) {
    const { Results = [] } = await options.sqs.send(
      new ListMessageMoveTasksCommand({ SourceArn: sourceArn, MaxResults: 10 }),
    );
    const task = Results.find((t) => t.TaskHandle === taskHandle) ?? Results[0];
    const moved = task?.ApproximateNumberOfMessagesMoved ?? 0;
    const expected = Math.max(total, task?.ApproximateNumberOfMessagesToMove ?? 0, moved);
    options.onProgress?.({ moved, failed: 0, total: expected });
    if (task?.Status === 'COMPLETED') return { moved, failed: 0, total: expected };
    if (task?.Status === 'FAILED' || task?.Status === 'CANCELLED') {
      throw new MoveTaskFailedError(task.Status, task.FailureReason, moved);
    }
    await sleep(options.pollIntervalMs ?? 2000);
  }
}

async function receiveSendDelete(options: RedriveOptions, initialTotal: number): Promise<RedriveProgress> {
  const { sqs, queueUrl, dlqUrl } = options;
  const progress: RedriveProgress = { moved: 0, failed: 0, total: initialTotal };
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: dlqUrl,
        MaxNumberOfMessages: BATCH,
        WaitTimeSeconds: RECEIVE_WAIT_SECONDS,
        VisibilityTimeout: RECEIVE_VISIBILITY_SECONDS,
        MessageAttributeNames: ['All'],
      }),
    );
    if (Messages.length === 0) return progress;
    const sent = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Messages.map((m, i) => ({
          Id: String(i),
          MessageBody: m.Body ?? '',
          MessageAttributes: sendableAttributes(m),
        })),
      }),
    );
    const delivered = (sent.Successful ?? []).map((s) => Messages[Number(s.Id)]!);
    if (delivered.length > 0) {
      const deleted = await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: dlqUrl,
          Entries: delivered.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
      if (deleted.Failed?.length) {
        // Already sent: carrying on would send them again when they reappear in the DLQ.
        const ids = deleted.Failed.map((f) => delivered[Number(f.Id)]?.MessageId).join(', ');
        throw new Error(
          `sent but could not delete from the DLQ: ${ids}; stopping so they are not sent twice`,
        );
      }
    }
    progress.moved += delivered.length;
    progress.failed += sent.Failed?.length ?? 0;
    progress.total = Math.max(progress.total, progress.moved + progress.failed);
    options.onProgress?.({ ...progress });
  }
}

// SendMessage accepts only the value fields that are set; received attributes carry empty list fields too.
function sendableAttributes(message: Message): Record<string, MessageAttributeValue> | undefined {
  const received = Object.entries(message.MessageAttributes ?? {});
  if (received.length === 0) return undefined;
  return Object.fromEntries(
    received.map(([name, value]) => {
      const attribute: MessageAttributeValue = { DataType: value.DataType };
      if (value.StringValue !== undefined) attribute.StringValue = value.StringValue;
      if (value.BinaryValue !== undefined) attribute.BinaryValue = value.BinaryValue;
      return [name, attribute];
    }),
  );
}
