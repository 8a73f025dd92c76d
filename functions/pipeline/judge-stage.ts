import type { Decision, RulesEngine, SuppressionReason } from '../rules/index.ts';
import type { CollapsedEvent } from './types.ts';

/** A collapsed event with the engine's verdict on it. */
export interface JudgedEvent {
  collapsed: CollapsedEvent;
  decision: Decision;
}

/** The events to notify about, how many were suppressed for each reason, and the owners the caps dropped. */
export interface Judgement {
  judged: JudgedEvent[];
  /** The suppressed events with their verdicts, for `report`'s figures by route, reason and silence. */
  held: JudgedEvent[];
  suppressed: Partial<Record<SuppressionReason, number>>;
  /** Owners taken from namespace annotations but dropped (over the cap, or not a WeCom user id). */
  ownersDropped: number;
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
  const held: JudgedEvent[] = [];
  const suppressed: Judgement['suppressed'] = {};
  let ownersDropped = 0;
  for (const item of collapsed) {
    const decision = owedOnly(engine.evaluate(item.event, now, item.occurrences), item.owed);
    if (decision.notify) {
      for (const delivery of decision.deliveries) ownersDropped += delivery.droppedOwners ?? 0;
      judged.push({ collapsed: item, decision });
    } else {
      held.push({ collapsed: item, decision });
      const reason = decision.suppressedBy!.reason;
      suppressed[reason] = (suppressed[reason] ?? 0) + 1;
    }
  }
  return { judged, held, suppressed, ownersDropped };
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
  return { ...decision, notify: false, deliveries: [], suppressedBy: { reason: 'no-route' } };
}
