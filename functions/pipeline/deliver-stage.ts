import type { RenderedMessage } from '../render/index.ts';
import { ChannelDeadlineError, ChannelError, ChannelRateLimitedError } from '../channels/delivery/index.ts';
import { WecomDeadlineError, WecomError } from '../channels/wecom/index.ts';
import type { DeliveryOutcome, Grant, PlannedMessage, SendSlot } from './types.ts';

/** Reserves send slots on a receiver's robots, and sends one rendered message in a slot it reserved. */
export interface MessageSender {
  /**
   * Reserves up to `wanted` slots on the receiver's robots (several keys for a robot pool), never more than their
   * platform allows in any window across every invocation, and never waiting for one: slots lie at most a few
   * seconds ahead. Zero slots means the receiver's events must wait until `nextFreeAt`.
   */
  reserve(receiver: string, wanted: number, now: number): Promise<Grant>;
  /**
   * Sends in `slot` (waiting for its time); throws a `WecomError` (WeCom group robots, webhook references) or a
   * `ChannelError` (the other channels) when the message cannot be delivered.
   */
  send(
    message: RenderedMessage,
    options: { deadline: number; slot: SendSlot },
  ): Promise<{ attempts: number }>;
}

/**
 * Stage 8: delivery. Each message goes out in the slot its receiver reserved for it, one receiver's messages in
 * order, one after another (a digest's parts must not overtake each other); different receivers are served in
 * parallel. Whether a failure is worth retrying is the channel client's call (`retryable` on `WecomError` and
 * `ChannelError`), never this stage's; a failure that only means "no slot on this robot before the deadline", or
 * "the robot is blocked for going over its rate", is a wait for budget.
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
    const { attempts } = await sender.send(planned.message, { deadline, slot: planned.slot! });
    return { planned, status: 'sent', attempts };
  } catch (err) {
    const failure = failureOf(err);
    if (!failure) throw err;
    const { code: errcode, retryable, attempts, budget } = failure;
    const reason = (err as Error).message;
    if (!retryable) return { planned, status: 'dead', attempts, errcode, reason };
    return { planned, status: 'retry', attempts, errcode, reason, budget };
  }
}

/** A delivery failure as this stage reads it, from either error family; undefined for anything else (a bug). */
function failureOf(
  err: unknown,
): { code: number | null; retryable: boolean; attempts: number; budget: boolean } | undefined {
  if (err instanceof WecomError) {
    const budget = err instanceof WecomDeadlineError && err.waitingFor === 'rate-limit';
    return { code: err.errcode, retryable: err.retryable, attempts: err.attempts, budget };
  }
  if (err instanceof ChannelError) {
    // The other channels' clients send once: a deadline error means nothing was sent.
    const unsent = err instanceof ChannelDeadlineError;
    const budget = unsent || err instanceof ChannelRateLimitedError;
    return { code: err.code, retryable: err.retryable, attempts: unsent ? 0 : 1, budget };
  }
  return undefined;
}
