import { pileMessageBody } from '../deferral/index.ts';
import type { DeferOutcome } from './defer-stage.ts';
import type { Fates } from './settle-stage.ts';
import type { BatchStats, DeadLetter } from './types.ts';

/** Each queue message's fate, and its figures. */
export interface Report {
  /** Message ids SQS must redeliver. */
  retry: string[];
  deadLetters: DeadLetter[];
  counts: Pick<BatchStats, 'deadLetters' | 'retryLater'>;
}

/**
 * The fate of each queue message. It is done (deleted) once every receiver it owes either got it, or holds it
 * waiting (parked or re-enqueued). It is left to SQS's redelivery only when neither the state table nor the queue
 * took its wait. It is dead-lettered when a receiver can never get it: the DLQ copy names only those receivers
 * (`owed`), so a redrive does not repeat it to the others. Piles of parked events that cannot go on are
 * dead-lettered as pile messages (their counts), so even they are accounted for, and a redrive summarizes them.
 */
export function reportOutcomes(fates: Fates, deferred: DeferOutcome, poison: readonly DeadLetter[]): Report {
  const retry = new Set(deferred.retry);
  const dead = new Map<string, DeadLetter>();
  for (const [event, ends] of fates.dead) {
    const receivers = [...ends.keys()];
    const reasons = [...new Set([...ends.values()].map((end) => end.reason))];
    const errcode = ends.values().next().value!.errcode;
    // The record as it came, unless other receivers have it: then a copy that owes only these.
    const narrowed = event.owed !== undefined || (fates.delivered.get(event)?.size ?? 0) > 0;
    const body = narrowed
      ? { body: JSON.stringify({ ...event.envelope, owed: receivers, failures: event.failures }) }
      : {};
    const ids = event.messageIds.filter((id) => !retry.has(id));
    // A narrowed copy holds the latest update, which supersedes the batch's others of this event: one letter for
    // them all, or a redrive would send the same update once per message.
    for (const messageId of narrowed ? ids.slice(0, 1) : ids) {
      const existing = dead.get(messageId);
      if (!existing) dead.set(messageId, { messageId, reason: reasons.join('; '), errcode, ...body });
      else
        for (const reason of reasons) if (!existing.reason.includes(reason)) existing.reason += `; ${reason}`;
    }
  }
  const piles = [
    ...fates.deadPiles.map(({ receiver, pile, end }) => ({ receiver, pile, ...end })),
    ...deferred.lostPiles.map(({ receiver, pile, reason }) => ({ receiver, pile, reason, errcode: null })),
  ];
  const lost: DeadLetter[] = [];
  for (const { receiver, pile, reason, errcode } of piles) {
    lost.push({
      messageId: `parked:${receiver}:${pile.parkings[0] ?? ''}`,
      reason: `${pile.tally.total} parked events for ${receiver}: ${reason}`,
      errcode,
      body: pileMessageBody({ receiver, pile }),
    });
  }
  const deadLetters = [...poison, ...dead.values(), ...lost];
  return {
    retry: [...retry],
    deadLetters,
    counts: { deadLetters: deadLetters.length, retryLater: retry.size },
  };
}
