import type { Decision, RulesEngine } from '../rules/index.ts';
import type { BatchStats, CollapsedEvent } from './types.ts';

/** A collapsed event with the engine's verdict on it. */
export interface JudgedEvent {
  collapsed: CollapsedEvent;
  decision: Decision;
}

/**
 * Stage 3: routes, repeat policy and silences, all in the rules engine (one pass per collapsed event). Suppressed
 * events are counted by reason; they are accounted for, not lost. So are namespace owners left unmentioned.
 */
export function judgeEvents(
  collapsed: readonly CollapsedEvent[],
  engine: RulesEngine,
  now: number,
  stats: BatchStats,
): JudgedEvent[] {
  const judged: JudgedEvent[] = [];
  for (const item of collapsed) {
    const decision = engine.evaluate(item.event, now, item.occurrences);
    if (decision.notify) {
      stats.notified++;
      for (const delivery of decision.deliveries) stats.ownersDropped += delivery.droppedOwners ?? 0;
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
