import type { EventTally } from '../render/index.ts';
import type { ResolvedMentions } from '../rules/index.ts';

/** One invocation's events for one receiver, handed to the state table to wait for the receiver's next free slot. */
export interface Parking {
  /** Unique per parking; the summary that finally covers these events reports it (logs, metrics, drills). */
  id: string;
  tally: EventTally;
  mentions: ResolvedMentions;
  /** When the oldest of these events was observed (epoch ms), for the deferral delay. */
  since: number;
  /** The parkings of piles a failed summary carried, parked again with these events: they keep their ids. */
  carried: readonly string[];
}

/** Everything parked for one receiver, taken out of the table by the invocation that will send its summary. */
export interface ParkedEvents {
  tally: EventTally;
  mentions: ResolvedMentions;
  /** The ids of the parkings it merges. */
  parkings: string[];
  /** When the pile began: its first parking's oldest event (epoch ms). */
  since: number;
  /**
   * Failed summaries of it so far, when it travelled as a message of its own (`pile-message.ts`); the state
   * table does not keep it, since a pile there waits behind an event's wake-up copy, which counts its own.
   */
  failures?: number;
}

/**
 * Where each receiver's parked events wait: one item per receiver in the state table (memory for `preview` and
 * `report`). Parking adds to the item; taking deletes it and returns what it held, atomically, so two invocations
 * never both send the same parked events, and an event parked while another takes lands in the next item.
 */
export interface PendingStore {
  /** Adds `parking` to the receiver's pile. */
  park(receiver: string, parking: Parking): Promise<void>;
  /**
   * Adds `parking` and claims the receiver's wake-up, both or neither: true when no other wake-up was due after
   * `now`, and the caller must then enqueue one due at `dueAt` (the wake-up is an event of its own, so `parking`
   * leaves it out). False changes nothing: another wake-up is on its way, and the caller parks everything.
   */
  parkAndClaimWakeUp(
    receiver: string,
    parking: Parking,
    wakeUp: { now: number; dueAt: number },
  ): Promise<boolean>;
  /** Takes everything parked for `receiver`; undefined when nothing is. */
  take(receiver: string): Promise<ParkedEvents | undefined>;
}

/** A copy of a queue message for the events queue, delivered after `delaySeconds` (SQS allows 0–900). */
export interface QueuedCopy {
  body: string;
  delaySeconds: number;
}

/** Puts copies back on the events queue; answers the indexes of the copies it could not enqueue. */
export interface CopyQueue {
  enqueue(copies: readonly QueuedCopy[]): Promise<number[]>;
}
