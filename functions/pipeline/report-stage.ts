import type { BatchStats, DeadLetter, DeliveryOutcome } from './types.ts';

/** Each queue message's fate, and the delivery figures of the batch. */
export interface Report {
  /** Message ids SQS must redeliver. */
  retry: string[];
  deadLetters: DeadLetter[];
  counts: Pick<BatchStats, 'sent' | 'retries' | 'failuresByErrcode' | 'deadLetters' | 'retryLater'>;
}

/**
 * Stage 8: delivery outcomes → the fate of each queue message. A message is redelivered if any message covering
 * it failed transiently (retrying may succeed), else dead-lettered with every permanent reason if any failed
 * permanently, else it is done. Redelivery can repeat a notice that did go out to another robot: delivery is
 * at-least-once, never at-most-once.
 */
export function reportOutcomes(outcomes: readonly DeliveryOutcome[], poison: readonly DeadLetter[]): Report {
  const counts: Report['counts'] = {
    sent: 0,
    retries: 0,
    failuresByErrcode: {},
    deadLetters: 0,
    retryLater: 0,
  };
  const retry = new Set<string>();
  const dead = new Map<string, DeadLetter>();
  for (const outcome of outcomes) {
    counts.retries += Math.max(0, outcome.attempts - 1);
    if (outcome.status === 'sent') {
      counts.sent++;
      continue;
    }
    const code = outcome.errcode === null ? 'none' : String(outcome.errcode);
    counts.failuresByErrcode[code] = (counts.failuresByErrcode[code] ?? 0) + 1;
    for (const event of outcome.planned.events) {
      for (const messageId of event.messageIds) {
        if (outcome.status === 'retry') {
          retry.add(messageId);
          continue;
        }
        const existing = dead.get(messageId);
        if (!existing) dead.set(messageId, { messageId, reason: outcome.reason, errcode: outcome.errcode });
        else if (!existing.reason.includes(outcome.reason)) existing.reason += `; ${outcome.reason}`;
      }
    }
  }
  const deadLetters = [...poison, ...[...dead.values()].filter((letter) => !retry.has(letter.messageId))];
  counts.deadLetters = deadLetters.length;
  counts.retryLater = retry.size;
  return { retry: [...retry], deadLetters, counts };
}
