import type { RenderedMessage } from '../render/index.ts';
import { WecomError } from '../channels/wecom/index.ts';
import type { DeliveryOutcome, PlannedMessage } from './types.ts';

/** Sends one rendered message to its receiver's robot; throws a `WecomError` when it cannot be delivered. */
export interface MessageSender {
  send(message: RenderedMessage, options: { deadline: number }): Promise<{ attempts: number }>;
}

/**
 * Stage 7: delivery. Each robot's messages go out in order, one after another (a digest's parts must not overtake
 * each other, and the robot's rate limit is per robot); different robots are served in parallel. Whether a
 * failure is worth retrying is the WeCom client's call (`WecomError.retryable`), never this stage's.
 */
export async function deliverMessages(
  planned: readonly PlannedMessage[],
  sender: MessageSender,
  deadline: number,
): Promise<DeliveryOutcome[]> {
  const queues = new Map<string, PlannedMessage[]>();
  for (const item of planned) {
    const queue = queues.get(item.message.receiver);
    if (queue) queue.push(item);
    else queues.set(item.message.receiver, [item]);
  }
  const outcomes = new Map<PlannedMessage, DeliveryOutcome>();
  await Promise.all(
    [...queues.values()].map(async (queue) => {
      for (const item of queue) outcomes.set(item, await deliverOne(item, sender, deadline));
    }),
  );
  return planned.map((item) => outcomes.get(item)!);
}

async function deliverOne(
  planned: PlannedMessage,
  sender: MessageSender,
  deadline: number,
): Promise<DeliveryOutcome> {
  try {
    const { attempts } = await sender.send(planned.message, { deadline });
    return { planned, status: 'sent', attempts };
  } catch (err) {
    if (!(err instanceof WecomError)) throw err;
    return {
      planned,
      status: err.retryable ? 'retry' : 'dead',
      attempts: err.attempts,
      errcode: err.errcode,
      reason: err.message,
    };
  }
}
