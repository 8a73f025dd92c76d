import { mergeTallies } from '../render/index.ts';
import { mergeMentions } from '../rules/index.ts';
import type { ParkedEvents, Parking, PendingStore } from './types.ts';

/** Parked events in this process, with the table's semantics: for `preview`, `report` and tests. */
export class MemoryPendingStore implements PendingStore {
  private readonly piles = new Map<string, { parked: ParkedEvents; wakeUpAt: number }>();

  async park(receiver: string, parking: Parking): Promise<void> {
    this.add(receiver, parking);
  }

  async parkAndClaimWakeUp(
    receiver: string,
    parking: Parking,
    wakeUp: { now: number; dueAt: number },
  ): Promise<boolean> {
    const pile = this.piles.get(receiver);
    if (pile && pile.wakeUpAt > wakeUp.now) return false;
    this.add(receiver, parking).wakeUpAt = wakeUp.dueAt;
    return true;
  }

  async take(receiver: string): Promise<ParkedEvents | undefined> {
    const pile = this.piles.get(receiver);
    this.piles.delete(receiver);
    return pile && pile.parked.tally.total > 0 ? pile.parked : undefined;
  }

  private add(receiver: string, parking: Parking): { parked: ParkedEvents; wakeUpAt: number } {
    const pile = this.piles.get(receiver) ?? {
      parked: {
        tally: { total: 0, warnings: 0, clusters: [], byReason: {}, byNamespace: {} },
        mentions: { users: [], mobiles: [], all: false },
        parkings: [],
        since: parking.since,
      },
      wakeUpAt: 0,
    };
    const { parked } = pile;
    parked.tally = mergeTallies(parked.tally, parking.tally);
    mergeMentions(parked.mentions, parking.mentions);
    parked.parkings.push(parking.id, ...parking.carried);
    this.piles.set(receiver, pile);
    return pile;
  }
}
