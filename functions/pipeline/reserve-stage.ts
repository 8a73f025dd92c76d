import type { MessageSender } from './deliver-stage.ts';
import type { BatchStats, Grant, Notice } from './types.ts';

/**
 * Reserve first, then render: each receiver asks its robots for one slot per notice (the sender caps that at what
 * the platform allows), all receivers at once, one conditional write per robot. What a receiver holds then decides
 * how many messages its notices become; nothing waits here for a slot to free.
 */
export async function reserveSlots(
  notices: readonly Notice[],
  sender: MessageSender,
  now: number,
  /** Receivers with a pile to summarize: one slot is enough for it, with or without notices. */
  pileReceivers: readonly string[] = [],
): Promise<{
  grants: Map<string, Grant>;
  counts: Pick<BatchStats, 'slotsGranted' | 'slotsRefused' | 'budgetFallbacks' | 'slotsByReceiver'>;
}> {
  const wanted = new Map<string, number>();
  for (const notice of notices) wanted.set(notice.receiver, (wanted.get(notice.receiver) ?? 0) + 1);
  for (const receiver of pileReceivers) wanted.set(receiver, Math.max(1, wanted.get(receiver) ?? 0));
  const grants = await Promise.all(
    [...wanted].map(
      async ([receiver, count]) => [receiver, await sender.reserve(receiver, count, now)] as const,
    ),
  );
  const counts = {
    slotsGranted: 0,
    slotsRefused: 0,
    budgetFallbacks: 0,
    slotsByReceiver: {} as BatchStats['slotsByReceiver'],
  };
  for (const [receiver, grant] of grants) {
    const granted = grant.slots.length;
    const refused = Math.max(0, wanted.get(receiver)! - granted);
    counts.slotsByReceiver[receiver] = { granted, refused };
    counts.slotsGranted += granted;
    counts.slotsRefused += refused;
    if (grant.source === 'local') counts.budgetFallbacks++;
  }
  return { grants: new Map(grants), counts };
}
