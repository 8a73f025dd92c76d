import type { Decision, Delivery } from '../rules/index.ts';
import type { Judgement } from './judge-stage.ts';

/** Where time-based repeats win their windows: the state table's `BudgetLedger.claimOnce`, or memory. */
export interface RepeatClaims {
  /** True for exactly one caller per key until the key expires, across containers and redeliveries. */
  claimOnce(request: { key: string; ttlSeconds: number; now: number }): Promise<boolean>;
}

// Shared, so a suppressed event allocates no reason of its own, and a decision without copies no empty set.
const REPEAT = { reason: 'repeat' } as const;
const NONE: ReadonlySet<string> = new Set();

/**
 * Stage 3b: `repeat.every` deliveries go out only for the invocation that wins their (event, receiver, window)
 * key, so concurrent invocations and redeliveries send once per window. All claims of the batch are asked for in
 * one parallel round; count-based deliveries never reach the table. A receiver a re-enqueued copy among the updates
 * was made for skips its claim, also when a fresh update of the same event shares the batch: the invocation that
 * made the copy already won it. An event that loses every claim is suppressed as `repeat`.
 */
export async function claimRepeatWindows(
  judgement: Judgement,
  claims: RepeatClaims,
  now: number,
): Promise<Judgement> {
  const decided = await Promise.all(
    judgement.judged.map(async (item) => ({
      ...item,
      decision: await withWonClaims(item.decision, claims, now, item.collapsed.copiedFor),
    })),
  );
  const judged = decided.filter((item) => item.decision.notify);
  const lost = decided.filter((item) => !item.decision.notify);
  if (lost.length === 0) return { ...judgement, judged };
  return {
    ...judgement,
    judged,
    held: [...judgement.held, ...lost],
    suppressed: { ...judgement.suppressed, repeat: (judgement.suppressed.repeat ?? 0) + lost.length },
  };
}

/**
 * A decision without the deliveries whose repeat window another invocation (or an earlier update) won; receivers
 * in `alreadyWon` keep theirs without asking.
 */
export async function withWonClaims(
  decision: Decision,
  claims: RepeatClaims,
  now: number,
  alreadyWon: ReadonlySet<string> = NONE,
): Promise<Decision> {
  const claiming = (delivery: Delivery) => delivery.claim !== undefined && !alreadyWon.has(delivery.receiver);
  if (!decision.deliveries.some(claiming)) return decision;
  const won = await Promise.all(
    decision.deliveries.map(
      (delivery) => !claiming(delivery) || claims.claimOnce({ ...delivery.claim!, now }),
    ),
  );
  const deliveries = decision.deliveries.filter((_, i) => won[i]);
  if (deliveries.length === decision.deliveries.length) return decision;
  if (deliveries.length > 0) return { ...decision, deliveries };
  return { ...decision, notify: false, deliveries: [], suppressedBy: REPEAT };
}

/**
 * Claims remembered by this object alone: what one `preview` run or a test needs, where no other process shares
 * the windows.
 */
export function inMemoryClaims(): RepeatClaims {
  const taken = new Set<string>();
  return {
    claimOnce: ({ key }) => {
      const first = !taken.has(key);
      taken.add(key);
      return Promise.resolve(first);
    },
  };
}
