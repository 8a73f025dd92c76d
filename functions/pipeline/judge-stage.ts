import type { Decision, RulesEngine, SuppressionReason } from '../rules/index.ts';
import type { CollapsedEvent } from './types.ts';

/** A collapsed event with the engine's verdict on it. */
export interface JudgedEvent {
  collapsed: CollapsedEvent;
  decision: Decision;
}

/** The events to notify about, and how many were suppressed for each reason. */
export interface Judgement {
  judged: JudgedEvent[];
  suppressed: Partial<Record<SuppressionReason, number>>;
}

/**
 * Stage 3: routes, repeat policy and silences, all in the rules engine (one pass per collapsed event). Suppressed
 * events are counted by reason; they are accounted for, not lost.
 */
export function judgeEvents(
  collapsed: readonly CollapsedEvent[],
  engine: RulesEngine,
  now: number,
): Judgement {
  const judged: JudgedEvent[] = [];
  const suppressed: Judgement['suppressed'] = {};
  for (const item of collapsed) {
    const decision = engine.evaluate(item.event, now, item.occurrences);
    if (decision.notify) {
      judged.push({ collapsed: item, decision });
    } else {
      const reason = decision.suppressedBy!.reason;
      suppressed[reason] = (suppressed[reason] ?? 0) + 1;
    }
  }
  return { judged, suppressed };
}
