import { errorReason } from '../ports.ts';
import { randomUUID } from 'node:crypto';
import { mergePiles } from '../deferral/index.ts';
import type { CopyQueue, Parking, PendingStore } from '../deferral/index.ts';
import { mergeTallies, tallyOf } from '../render/index.ts';
import { requeuePile } from './pile-stage.ts';
import type { ReceiverWait } from './settle-stage.ts';
import type { CollapsedEvent, Deferral } from './types.ts';

/** Where waiting events go: the state table's piles, and the events queue for wake-ups and copies. */
export interface DeferralPorts {
  /** Undefined where there is no state table: every waiting event then goes back on the queue as a copy. */
  pending: PendingStore | undefined;
  /** Undefined where the function may not write to the events queue: copies then fall back to SQS redelivery. */
  copies: CopyQueue | undefined;
  logger: { warn(message: string, fields: Record<string, unknown>): void };
}

/** What deferring decided: what waits where, and what could only be left to SQS or the DLQ. */
export interface DeferOutcome {
  deferrals: Deferral[];
  /** Queue messages left to SQS's redelivery: neither the table nor the queue took them. */
  retry: string[];
  /** Piles taken from the table that could not be put back (the table failed in between). */
  lostPiles: { receiver: string; pile: ReceiverWait['piles'][number]; reason: string }[];
}

/**
 * Each receiver's waiting events go where they wait without loss and without burning the queue's receive count:
 * all but one are parked in the receiver's pile in the state table, and the last goes back on the events queue as
 * a copy that owes only this receiver, delayed until the receiver's next free slot: the wake-up that will send the
 * pile. Only one wake-up per receiver is on its way at a time (the table's claim); while one is, every event parks.
 * Without the table, every waiting event becomes such a copy; without those either, SQS redelivers the record.
 * A copy never names a receiver that already has the message, so nobody gets it twice.
 */
export async function deferWaits(
  waits: ReadonlyMap<string, ReceiverWait>,
  ports: DeferralPorts,
  now: number,
): Promise<DeferOutcome> {
  const outcome: DeferOutcome = { deferrals: [], retry: [], lostPiles: [] };
  await Promise.all(
    [...waits].map(async ([receiver, wait]) => {
      const deferral: Deferral = {
        receiver,
        parking: undefined,
        copied: [],
        requeued: [],
        until: wait.until,
        failed: wait.failed,
      };
      outcome.deferrals.push(deferral);
      if (ports.pending) {
        try {
          await park(receiver, wait, ports, now, outcome, deferral);
          return;
        } catch (error) {
          ports.logger.warn('the state table did not take waiting events; re-enqueuing them as copies', {
            receiver,
            events: wait.events.length,
            reason: errorReason(error),
          });
        }
      }
      deferral.copied = uidsOf(wait.events);
      outcome.retry.push(...(await enqueueCopies(wait.events, receiver, wait, ports.copies, now)));
      if (wait.piles.length === 0) return;
      if (await enqueuePile(wait, ports.copies, now, deferral)) return;
      const reason = ports.pending
        ? 'neither the state table nor the events queue took its parked events back'
        : 'the events queue did not take its parked events back';
      for (const pile of wait.piles) outcome.lostPiles.push({ receiver, pile, reason });
    }),
  );
  return outcome;
}

/** Parks the receiver's waiting events, and enqueues the wake-up when this batch wins the claim. */
async function park(
  receiver: string,
  wait: ReceiverWait,
  ports: DeferralPorts,
  now: number,
  outcome: DeferOutcome,
  deferral: Deferral,
): Promise<void> {
  const pending = ports.pending!;
  const id = randomUUID();
  const wakeUp = wait.events.at(-1);
  const parking = (events: readonly CollapsedEvent[]): Parking => {
    let tally = tallyOf(events.map((event) => event.event));
    for (const pile of wait.piles) tally = mergeTallies(tally, pile.tally);
    const since = Math.min(now, ...events.map(observedAt), ...wait.piles.map((pile) => pile.since));
    const carried = wait.piles.flatMap((pile) => pile.parkings);
    return { id, tally, mentions: wait.mentions, since, carried };
  };
  if (!wakeUp) {
    // A summary of parked events failed, or met a busy robot, while this batch's own events for the receiver all
    // went out: no event is left to wake the pile, so it travels as a message of its own, due at the receiver's
    // next try. Only if the queue will not take it does it wait in the table for the receiver's next event.
    if (await enqueuePile(wait, ports.copies, now, deferral)) return;
    ports.logger.warn(
      'the events queue did not take parked events back; they wait for the receiver’s next event',
      {
        receiver,
      },
    );
    await pending.park(receiver, parking([]));
    deferral.parking = { id, uids: [] };
    return;
  }
  const rest = wait.events.slice(0, -1);
  const claimed = await pending.parkAndClaimWakeUp(receiver, parking(rest), { now, dueAt: wait.until });
  if (!claimed) {
    await pending.park(receiver, parking(wait.events));
    deferral.parking = { id, uids: uidsOf(wait.events) };
    return;
  }
  deferral.parking = { id, uids: uidsOf(rest) };
  deferral.copied = [wakeUp.event.uid];
  outcome.retry.push(...(await enqueueCopies([wakeUp], receiver, wait, ports.copies, now)));
}

const uidsOf = (events: readonly CollapsedEvent[]) => events.map((event) => event.event.uid);

/**
 * The receiver's piles back on the events queue as one message, due at its next try, noted in its deferral;
 * false if the queue did not take them.
 */
async function enqueuePile(
  wait: ReceiverWait,
  copies: CopyQueue | undefined,
  now: number,
  deferral: Deferral,
): Promise<boolean> {
  const pile = wait.piles.reduce(mergePiles);
  const failures = (pile.failures ?? 0) + (wait.failed ? 1 : 0);
  if (!(await requeuePile(copies, deferral.receiver, { ...pile, failures }, wait.until, now))) return false;
  deferral.requeued = pile.parkings;
  return true;
}

/** Re-enqueues copies owed to `receiver` only; answers the queue messages of the copies that could not be. */
async function enqueueCopies(
  events: readonly CollapsedEvent[],
  receiver: string,
  wait: ReceiverWait,
  copies: CopyQueue | undefined,
  now: number,
): Promise<string[]> {
  if (events.length === 0) return [];
  if (!copies) return events.flatMap((event) => event.messageIds);
  const delaySeconds = Math.max(0, (wait.until - now) / 1000);
  const failed = await copies.enqueue(
    events.map((event) => ({
      body: JSON.stringify({
        ...event.envelope,
        owed: [receiver],
        failures: event.failures + (wait.failed ? 1 : 0),
      }),
      delaySeconds,
    })),
  );
  return failed.flatMap((index) => events[index]!.messageIds);
}

function observedAt(event: CollapsedEvent): number {
  const at = Date.parse(event.envelope.observedAt);
  return Number.isNaN(at) ? Number.POSITIVE_INFINITY : at;
}
