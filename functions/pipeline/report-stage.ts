import type { BatchStats, DeadLetter, DeliveryOutcome } from './types.ts';

/**
 * Stage 8: delivery outcomes → the fate of each queue message. A message is redelivered if any message covering
 * it failed transiently (retrying may succeed), else dead-lettered with every permanent reason if any failed
 * permanently, else it is done. Redelivery can repeat a notice that did go out to another robot: delivery is
 * at-least-once, never at-most-once.
 */
export function reportOutcomes(
  outcomes: readonly DeliveryOutcome[],
  poison: readonly DeadLetter[],
  stats: BatchStats,
): { retry: string[]; deadLetters: DeadLetter[] } {
  const retry = new Set<string>();
  const dead = new Map<string, DeadLetter>();
  for (const outcome of outcomes) {
    stats.retries += Math.max(0, outcome.attempts - 1);
    if (outcome.status === 'sent') {
      stats.sent++;
      continue;
    }
    const code = outcome.errcode === null ? 'none' : String(outcome.errcode);
    stats.failuresByErrcode[code] = (stats.failuresByErrcode[code] ?? 0) + 1;
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
  stats.deadLetters = deadLetters.length;
  stats.retryLater = retry.size;
  return { retry: [...retry], deadLetters };
}
