import { ROBOT_MESSAGES_PER_MINUTE } from '../channels/wecom/index.ts';
import type { RulesEngine } from '../rules/index.ts';
import type { Renderer } from '../render/index.ts';
import { applyBudget } from './budget-stage.ts';
import { collapseUpdates } from './collapse-stage.ts';
import { decodeRecords } from './decode-stage.ts';
import { deliverMessages } from './deliver-stage.ts';
import type { MessageSender } from './deliver-stage.ts';
import { groupDeliveries } from './group-stage.ts';
import { judgeEvents } from './judge-stage.ts';
import { renderNotices } from './render-stage.ts';
import { reportOutcomes } from './report-stage.ts';
import type { BatchRecord, BatchResult, BatchStats, PlannedMessage } from './types.ts';

/** What a batch needs, built once per cold start (or once per `preview` run). */
export interface PipelineDeps {
  engine: RulesEngine;
  renderer: Renderer;
  sender: MessageSender;
}

/** Per-batch inputs: the injected clock and the time by which delivery must stop. */
export interface BatchContext {
  now: number;
  /** Epoch ms; no delivery attempt starts and no retry waits past it. */
  deadline: number;
}

/**
 * Everything up to delivery, pure: decode → collapse → judge (route, repeat, silence) → group → render and fit →
 * budget. `preview --batch` prints this plan; the function delivers it.
 */
export function planBatch(
  records: readonly BatchRecord[],
  deps: Omit<PipelineDeps, 'sender'>,
  now: number,
): { planned: PlannedMessage[]; poison: ReturnType<typeof decodeRecords>['poison']; stats: BatchStats } {
  const { decoded, poison } = decodeRecords(records);
  const collapsed = collapseUpdates(decoded);
  const { judged, suppressed } = judgeEvents(collapsed, deps.engine, now);
  const notices = groupDeliveries(judged);
  const budget = (receiver: string) =>
    Math.max(1, deps.engine.bundle.receivers[receiver]?.maxMessagesPerMinute ?? ROBOT_MESSAGES_PER_MINUTE);
  const rendered = renderNotices(notices, deps.renderer, budget);
  const planned = applyBudget(rendered.planned, rendered.left, budget, deps.renderer);
  const stats: BatchStats = {
    records: records.length,
    poison: poison.length,
    events: decoded.length,
    collapsed: collapsed.length,
    notified: judged.length,
    suppressed,
    messages: planned.length,
    overflowMessages: planned.filter((item) => item.overflow).length,
    // Delivery figures: a plan has delivered nothing yet; processBatch fills them from the report.
    sent: 0,
    retries: 0,
    failuresByErrcode: {},
    deadLetters: 0,
    retryLater: 0,
  };
  return { planned, poison, stats };
}

/** One batch, end to end: plan, deliver, and decide each queue message's fate. */
export async function processBatch(
  records: readonly BatchRecord[],
  deps: PipelineDeps,
  context: BatchContext,
): Promise<BatchResult> {
  const { planned, poison, stats } = planBatch(records, deps, context.now);
  const outcomes = await deliverMessages(planned, deps.sender, context.deadline);
  const { retry, deadLetters, counts } = reportOutcomes(outcomes, poison);
  return { retry, deadLetters, outcomes, stats: { ...stats, ...counts } };
}
