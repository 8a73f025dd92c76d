import { ROBOT_MESSAGES_PER_MINUTE } from '../channels/wecom/limits.ts';
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
import { templateFailuresOf } from './template-failures.ts';
import type { TemplateFailure } from './template-failures.ts';
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
): {
  planned: PlannedMessage[];
  poison: ReturnType<typeof decodeRecords>['poison'];
  templateFailures: TemplateFailure[];
  stats: BatchStats;
} {
  const stats = emptyStats(records.length);
  const { decoded, poison } = decodeRecords(records);
  stats.poison = poison.length;
  stats.events = decoded.length;
  const collapsed = collapseUpdates(decoded);
  stats.collapsed = collapsed.length;
  const judged = judgeEvents(collapsed, deps.engine, now, stats);
  const notices = groupDeliveries(judged);
  const budget = (receiver: string) =>
    Math.max(1, deps.engine.bundle.receivers[receiver]?.maxMessagesPerMinute ?? ROBOT_MESSAGES_PER_MINUTE);
  const rendered = renderNotices(notices, deps.renderer, budget);
  const planned = applyBudget(rendered.planned, rendered.left, budget, deps.renderer);
  stats.messages = planned.length;
  stats.overflowMessages = planned.filter((item) => item.overflow).length;
  const templateFailures = templateFailuresOf(planned);
  stats.templateErrors = templateFailures.length;
  return { planned, poison, templateFailures, stats };
}

/** One batch, end to end: plan, deliver, and decide each queue message's fate. */
export async function processBatch(
  records: readonly BatchRecord[],
  deps: PipelineDeps,
  context: BatchContext,
): Promise<BatchResult> {
  const { planned, poison, templateFailures, stats } = planBatch(records, deps, context.now);
  const outcomes = await deliverMessages(planned, deps.sender, context.deadline);
  const { retry, deadLetters } = reportOutcomes(outcomes, poison, stats);
  return { retry, deadLetters, outcomes, templateFailures, stats };
}

function emptyStats(records: number): BatchStats {
  return {
    records,
    poison: 0,
    events: 0,
    collapsed: 0,
    notified: 0,
    suppressed: {},
    messages: 0,
    sent: 0,
    overflowMessages: 0,
    ownersDropped: 0,
    templateErrors: 0,
    retries: 0,
    failuresByErrcode: {},
    deadLetters: 0,
    retryLater: 0,
  };
}
