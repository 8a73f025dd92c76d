import { errorReason } from '../ports.ts';
import { ROBOT_MESSAGES_PER_MINUTE } from '../channels/wecom/index.ts';
import type { ParkedEvents } from '../deferral/index.ts';
import type { RulesEngine } from '../rules/index.ts';
import type { Renderer } from '../render/index.ts';
import { applyBudget } from './budget-stage.ts';
import { claimRepeatWindows, inMemoryClaims } from './claim-stage.ts';
import type { RepeatClaims } from './claim-stage.ts';
import { collapseUpdates } from './collapse-stage.ts';
import { decodeRecords } from './decode-stage.ts';
import { deferWaits, type DeferralPorts } from './defer-stage.ts';
import { deliverMessages } from './deliver-stage.ts';
import { carryPiles } from './pile-stage.ts';
import type { MessageSender } from './deliver-stage.ts';
import { groupDeliveries } from './group-stage.ts';
import { judgeEvents } from './judge-stage.ts';
import type { JudgedEvent } from './judge-stage.ts';
import { renderNotices } from './render-stage.ts';
import { reportOutcomes } from './report-stage.ts';
import { reserveSlots } from './reserve-stage.ts';
import { settleOutcomes } from './settle-stage.ts';
import { templateFailuresOf } from './template-failures.ts';
import type { TemplateFailure } from './template-failures.ts';
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
  /**
   * Where `repeat.every` windows are won (the state table's ledger). Without it a window is remembered only
   * within one batch, which is all a single `preview --batch` plan needs.
   */
  claims?: RepeatClaims;
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

/**
 * decode → collapse → judge (route, repeat, silence) → claim time-based repeat windows → group; pure but for
 * the claims; with the figures so far.
 */
async function noticesOf(
  records: readonly BatchRecord[],
  engine: RulesEngine,
  claims: RepeatClaims,
  now: number,
) {
  const { decoded, piles, poison } = decodeRecords(records);
  const collapsed = collapseUpdates(decoded);
  const judgement = judgeEvents(collapsed, engine, now);
  const { judged, held, suppressed } = await claimRepeatWindows(judgement, claims, now);
  const notices = groupDeliveries(judged);
  const counts = {
    records: records.length,
    poison: poison.length,
    events: decoded.length,
    collapsed: collapsed.length,
    notified: judged.length,
    suppressed,
    ownersDropped: judgement.ownersDropped,
  };
  return { notices, piles, poison, counts, verdicts: [...judged, ...held] };
}

/** render and fit → budget, pure, against `slots(receiver)` messages per receiver. */
function planMessages(
  notices: readonly Notice[],
  renderer: Renderer,
  slots: (receiver: string) => number,
  parked: ReadonlyMap<string, ParkedEvents>,
) {
  const rendered = renderNotices(notices, renderer, slots);
  const plan = applyBudget(rendered.planned, rendered.left, slots, renderer, parked);
  const templateFailures = templateFailuresOf(plan.planned);
  const counts = {
    messages: plan.planned.length,
    overflowMessages: plan.planned.filter((item) => item.overflow).length,
    templateErrors: templateFailures.length,
  };
  return { ...plan, templateFailures, counts };
}

/**
 * Everything up to delivery, as if every robot had its whole per-minute budget free: decode → collapse → judge
 * (route, repeat, silence) → claim → group → render and fit → budget. `preview --batch` prints this plan. Pure
 * but for the repeat claims (in memory unless `deps.claims` says otherwise).
 */
export async function planBatch(
  records: readonly BatchRecord[],
  deps: Pick<PipelineDeps, 'engine' | 'renderer' | 'claims'>,
  now: number,
): Promise<{
  planned: PlannedMessage[];
  poison: DeadLetter[];
  verdicts: JudgedEvent[];
  templateFailures: TemplateFailure[];
  stats: BatchStats;
}> {
  const { notices, piles, poison, counts, verdicts } = await noticesOf(
    records,
    deps.engine,
    deps.claims ?? inMemoryClaims(),
    now,
  );
  const perMinute = (receiver: string) =>
    Math.max(1, deps.engine.bundle.receivers[receiver]?.maxMessagesPerMinute ?? ROBOT_MESSAGES_PER_MINUTE);
  // A plan gives every receiver its whole minute, so each pile joins its receiver's summary.
  const room = (receiver: string) =>
    deps.engine.bundle.receivers[receiver] ? { held: perMinute(receiver), nextFreeAt: now } : undefined;
  const carried = await carryPiles(piles, new Map(), room, undefined, now);
  const plan = planMessages(notices, deps.renderer, perMinute, carried.parked);
  // Delivery figures: a plan has delivered nothing yet; processBatch fills them.
  return {
    planned: plan.planned,
    poison: [...poison, ...carried.deadLetters],
    verdicts,
    templateFailures: plan.templateFailures,
    stats: { ...NOTHING_DELIVERED, ...counts, ...plan.counts },
  };
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
  const judged = await noticesOf(records, deps.engine, deps.claims ?? inMemoryClaims(), now);
  const pileReceivers = judged.piles
    .map((record) => record.receiver)
    .filter((receiver) => deps.engine.bundle.receivers[receiver]);
  const reserved = await reserveSlots(judged.notices, deps.sender, now, pileReceivers);
  const { grants } = reserved;
  const taken = await takeParked(grants, deps.deferral);
  // Every receiver the bundle has and a pile names was asked for a slot, so no grant means no such receiver.
  const room = (receiver: string) => {
    const grant = grants.get(receiver);
    return grant && { held: grant.slots.length, nextFreeAt: grant.nextFreeAt };
  };
  const carried = await carryPiles(judged.piles, taken, room, deps.deferral?.copies, now);
  const { parked } = carried;
  const held = (receiver: string) => grants.get(receiver)?.slots.length ?? 0;
  const plan = planMessages(judged.notices, deps.renderer, held, parked);
  assignSlots(plan.planned, grants);
  const outcomes = await deliverMessages(plan.planned, deps.sender, deadline);
  const settled = settleOutcomes(outcomes, plan.waiting, {
    now,
    grants,
    maxFailures: deps.maxFailures ?? DEFAULT_MAX_FAILURES,
  });
  const { waits } = settled.fates;
  const deferred = deps.deferral
    ? await deferWaits(waits, deps.deferral, now)
    : {
        deferrals: [],
        retry: [...waits.values()].flatMap((wait) => wait.events.flatMap((event) => event.messageIds)),
        // Only a pile that came as a message can be here, and its message is gone: its letter keeps it.
        lostPiles: [...waits].flatMap(([receiver, wait]) =>
          wait.piles.map((pile) => ({ receiver, pile, reason: 'no state table or events queue to wait in' })),
        ),
      };
  const report = reportOutcomes(
    settled.fates,
    { ...deferred, retry: [...deferred.retry, ...carried.retry] },
    [...judged.poison, ...carried.deadLetters],
  );
  return {
    retry: report.retry,
    deadLetters: report.deadLetters,
    deferrals: [...carried.deferrals, ...deferred.deferrals],
    outcomes,
    verdicts: judged.verdicts,
    templateFailures: plan.templateFailures,
    stats: { ...judged.counts, ...plan.counts, ...reserved.counts, ...settled.counts, ...report.counts },
  };
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
            reason: errorReason(error),
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

const NOTHING_DELIVERED = {
  sent: 0,
  retries: 0,
  failuresByErrcode: {},
  deadLetters: 0,
  retryLater: 0,
  slotsGranted: 0,
  slotsRefused: 0,
  budgetFallbacks: 0,
  slotsByReceiver: {},
  deferred: 0,
  parkedSent: 0,
  deferralDelayMs: 0,
} satisfies Partial<BatchStats>;
