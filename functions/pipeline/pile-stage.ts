import { mergePiles, pileMessageBody } from '../deferral/index.ts';
import type { CopyQueue, ParkedEvents } from '../deferral/index.ts';
import type { DeadLetter, Deferral, PileRecord } from './types.ts';

/** What became of the piles that came as queue messages. */
export interface CarriedPiles {
  /** Each receiver's parked events for its summary: what the table held, with the piles that came. */
  parked: Map<string, ParkedEvents>;
  /** Piles whose receiver holds no slot, back on the queue until it has one. */
  deferrals: Deferral[];
  /** Pile messages SQS must redeliver: the queue did not take them back. */
  retry: string[];
  /** Piles for receivers the bundle no longer has. */
  deadLetters: DeadLetter[];
}

/**
 * Piles that came as queue messages join what the table held for their receiver when it holds a slot now, so its
 * summary carries them. The others go back on the queue as one pile per receiver, delayed until the receiver's
 * next free slot; waiting for a slot is no failure, so their count stays. A pile for a receiver the bundle no
 * longer has is dead-lettered as it came.
 */
export async function carryPiles(
  piles: readonly PileRecord[],
  taken: ReadonlyMap<string, ParkedEvents>,
  /** What each receiver holds now: slots, and when its next frees; undefined for a receiver the bundle lacks. */
  room: (receiver: string) => { held: number; nextFreeAt: number } | undefined,
  copies: CopyQueue | undefined,
  now: number,
): Promise<CarriedPiles> {
  const carried: CarriedPiles = { parked: new Map(taken), deferrals: [], retry: [], deadLetters: [] };
  const waiting = new Map<string, PileRecord[]>();
  for (const record of piles) {
    const held = room(record.receiver)?.held;
    if (held === undefined) {
      carried.deadLetters.push({
        messageId: record.messageId,
        reason: `${record.pile.tally.total} parked events for ${record.receiver}, which the bundle no longer has`,
        errcode: null,
      });
    } else if (held > 0) {
      const joined = carried.parked.get(record.receiver);
      carried.parked.set(record.receiver, joined ? mergePiles(joined, record.pile) : record.pile);
    } else {
      waiting.set(record.receiver, [...(waiting.get(record.receiver) ?? []), record]);
    }
  }
  for (const [receiver, records] of waiting) {
    const until = room(receiver)!.nextFreeAt;
    const pile = records.map((r) => r.pile).reduce(mergePiles);
    if (!(await requeuePile(copies, receiver, pile, until, now)))
      carried.retry.push(...records.map((r) => r.messageId));
    else
      carried.deferrals.push({
        receiver,
        parking: undefined,
        copied: [],
        requeued: pile.parkings,
        until,
        failed: false,
      });
  }
  return carried;
}

/** One pile back on the events queue as a message of its own, due at `until`; false if the queue did not take it. */
export async function requeuePile(
  copies: CopyQueue | undefined,
  receiver: string,
  pile: ParkedEvents,
  until: number,
  now: number,
): Promise<boolean> {
  if (!copies) return false;
  const body = pileMessageBody({ receiver, pile });
  const refused = await copies.enqueue([{ body, delaySeconds: Math.max(0, (until - now) / 1000) }]);
  return refused.length === 0;
}
