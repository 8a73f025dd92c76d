import type { Decision, RulesEngine } from '../rules/index.ts';
import type { BatchStats, CollapsedEvent } from './types.ts';

/** A collapsed event with the engine's verdict on it. */
export interface JudgedEvent {
  collapsed: CollapsedEvent;
  decision: Decision;
}

/**
 * Stage 3: routes, repeat policy and silences, all in the rules engine (one pass per collapsed event). Suppressed
 * events are counted by reason; they are accounted for, not lost.
 */
export function judgeEvents(
  collapsed: readonly CollapsedEvent[],
  engine: RulesEngine,
  now: number,
  stats: BatchStats,
): JudgedEvent[] {
  const judged: JudgedEvent[] = [];
  for (const item of collapsed) {
    const decision = owedOnly(engine.evaluate(item.event, now, item.occurrences), item.owed);
    if (decision.notify) {
      stats.notified++;
      judged.push({ collapsed: item, decision });
    } else {
      const reason = decision.suppressedBy!.startsWith('silence:')
        ? 'silence'
        : (decision.suppressedBy as 'no-route' | 'repeat');
      stats.suppressed[reason] = (stats.suppressed[reason] ?? 0) + 1;
    }
  }
  return judged;
}

/**
 * A re-enqueued copy is delivered only to the receivers it still owes: the others already have the message. When
 * the rules no longer send it to any of those, it counts as routed nowhere.
 */
function owedOnly(decision: Decision, owed: ReadonlySet<string> | undefined): Decision {
  if (!owed || !decision.notify) return decision;
  const deliveries = decision.deliveries.filter((delivery) => owed.has(delivery.receiver));
  if (deliveries.length === decision.deliveries.length) return decision;
  if (deliveries.length > 0) return { ...decision, deliveries };
  return { ...decision, notify: false, deliveries: [], suppressedBy: 'no-route' };
}
