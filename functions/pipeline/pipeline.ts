import { ROBOT_MESSAGES_PER_MINUTE } from '../channels/wecom/limits.ts';
import type { ParkedEvents } from '../deferral/index.ts';
import type { RulesEngine } from '../rules/index.ts';
import type { Renderer } from '../render/index.ts';
import { applyBudget, type Waiting } from './budget-stage.ts';
import { collapseUpdates } from './collapse-stage.ts';
import { decodeRecords } from './decode-stage.ts';
import { deferWaits, type DeferralPorts } from './defer-stage.ts';
import { deliverMessages } from './deliver-stage.ts';
import type { MessageSender } from './deliver-stage.ts';
import { groupDeliveries } from './group-stage.ts';
import { judgeEvents } from './judge-stage.ts';
import { renderNotices } from './render-stage.ts';
import { reportOutcomes } from './report-stage.ts';
import { reserveSlots } from './reserve-stage.ts';
import { settleOutcomes } from './settle-stage.ts';
import type {
  BatchRecord,
  BatchResult,
  BatchStats,
  DeadLetter,
  Grant,
  Notice,
  PlannedMessage,
} from './types.ts';

/** What a batch needs, built once per cold start (or once per `preview` run). */
export interface PipelineDeps {
  engine: RulesEngine;
  renderer: Renderer;
  sender: MessageSender;
  /** Where events wait for their receiver's next free slot; without it they fall back to SQS redelivery. */
  deferral?: DeferralPorts;
  /** Failed deliveries after which an event is dead-lettered (the queue's `maxReceiveCount`; default 5). */
  maxFailures?: number;
}

/** Per-batch inputs: the injected clock and the time by which delivery must stop. */
export interface BatchContext {
  now: number;
  /** Epoch ms; no delivery attempt starts and no retry waits past it. */
  deadline: number;
}

const DEFAULT_MAX_FAILURES = 5;

/** decode → collapse → judge (route, repeat, silence) → group, pure. */
function noticesOf(records: readonly BatchRecord[], engine: RulesEngine, now: number) {
  const stats = emptyStats(records.length);
  const { decoded, poison } = decodeRecords(records);
  stats.poison = poison.length;
  stats.events = decoded.length;
  const collapsed = collapseUpdates(decoded);
  stats.collapsed = collapsed.length;
  const notices = groupDeliveries(judgeEvents(collapsed, engine, now, stats));
  return { notices, poison, stats };
}

/** render and fit → budget, pure, against `slots(receiver)` messages per receiver. */
function planMessages(
  notices: readonly Notice[],
  renderer: Renderer,
  slots: (receiver: string) => number,
  parked: ReadonlyMap<string, ParkedEvents>,
  stats: BatchStats,
): { planned: PlannedMessage[]; waiting: Map<string, Waiting> } {
  const rendered = renderNotices(notices, renderer, slots);
  const plan = applyBudget(rendered.planned, rendered.left, slots, renderer, parked);
  stats.messages = plan.planned.length;
  stats.overflowMessages = plan.planned.filter((item) => item.overflow).length;
  return plan;
}

/**
 * Everything up to delivery, pure, as if every robot had its whole per-minute budget free: decode → collapse →
 * judge (route, repeat, silence) → group → render and fit → budget. `preview --batch` prints this plan.
 */
export function planBatch(
  records: readonly BatchRecord[],
  deps: Pick<PipelineDeps, 'engine' | 'renderer'>,
  now: number,
): { planned: PlannedMessage[]; poison: DeadLetter[]; stats: BatchStats } {
  const { notices, poison, stats } = noticesOf(records, deps.engine, now);
  const perMinute = (receiver: string) =>
    Math.max(1, deps.engine.bundle.receivers[receiver]?.maxMessagesPerMinute ?? ROBOT_MESSAGES_PER_MINUTE);
  const { planned } = planMessages(notices, deps.renderer, perMinute, new Map(), stats);
  return { planned, poison, stats };
}

/**
 * One batch, end to end: judge and group, reserve each receiver's slots on the shared budget, take what earlier
 * invocations parked for receivers that got one, plan against exactly those slots, deliver, then settle each
 * (event, receiver): delivered, waiting (parked or re-enqueued for that receiver only), or dead-lettered.
 */
export async function processBatch(
  records: readonly BatchRecord[],
  deps: PipelineDeps,
  context: BatchContext,
): Promise<BatchResult> {
  const { now, deadline } = context;
  const { notices, poison, stats } = noticesOf(records, deps.engine, now);
  const grants = await reserveSlots(notices, deps.sender, now, stats);
  const parked = await takeParked(grants, deps.deferral);
  const held = (receiver: string) => grants.get(receiver)?.slots.length ?? 0;
  const { planned, waiting } = planMessages(notices, deps.renderer, held, parked, stats);
  assignSlots(planned, grants);
  const outcomes = await deliverMessages(planned, deps.sender, deadline);
  const fates = settleOutcomes(
    outcomes,
    waiting,
    { now, grants, maxFailures: deps.maxFailures ?? DEFAULT_MAX_FAILURES },
    stats,
  );
  const deferred = deps.deferral
    ? await deferWaits(fates.waits, deps.deferral, now)
    : {
        deferrals: [],
        retry: [...fates.waits.values()].flatMap((wait) => wait.events.flatMap((event) => event.messageIds)),
        lostPiles: [],
      };
  const { retry, deadLetters } = reportOutcomes(fates, deferred, poison, stats);
  return { retry, deadLetters, deferrals: deferred.deferrals, outcomes, stats };
}

/** Piles parked for the receivers that hold a slot now: this batch's summary will carry them. */
async function takeParked(
  grants: ReadonlyMap<string, Grant>,
  deferral: DeferralPorts | undefined,
): Promise<Map<string, ParkedEvents>> {
  const pending = deferral?.pending;
  if (!pending) return new Map();
  const taken = await Promise.all(
    [...grants]
      .filter(([, grant]) => grant.slots.length > 0)
      .map(async ([receiver]) => {
        try {
          return [receiver, await pending.take(receiver)] as const;
        } catch (error) {
          // Not taken is not lost: the pile stays for the next batch that holds a slot.
          deferral.logger.warn('could not take parked events from the state table', {
            receiver,
            reason: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
          });
          return [receiver, undefined] as const;
        }
      }),
  );
  return new Map(taken.filter((entry): entry is [string, ParkedEvents] => entry[1] !== undefined));
}

/** Each receiver's messages, in plan order, take its reserved slots in time order. */
function assignSlots(planned: PlannedMessage[], grants: ReadonlyMap<string, Grant>): void {
  const used = new Map<string, number>();
  for (const item of planned) {
    const receiver = item.message.receiver;
    const index = used.get(receiver) ?? 0;
    used.set(receiver, index + 1);
    item.slot = grants.get(receiver)!.slots[index]!;
  }
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
    retries: 0,
    failuresByErrcode: {},
    deadLetters: 0,
    retryLater: 0,
    slotsGranted: 0,
    slotsRefused: 0,
    budgetFallbacks: 0,
    deferred: 0,
    parkedSent: 0,
    deferralDelayMs: 0,
  };
}
