import type { EnvelopeV1, NormalizedEvent } from '../../contracts/index.ts';
import type { ParkedEvents, PileMessage } from '../deferral/index.ts';
import type { Occurrence, ResolvedMentions, Suppression, SuppressionReason } from '../rules/index.ts';
import type { RenderedMessage } from '../render/index.ts';
import type { TemplateFailure } from './template-failures.ts';
import type { JudgedEvent } from './judge-stage.ts';

/** One queue message as the pipeline needs it (an SQS record, or one line of `preview --batch` input). */
export interface BatchRecord {
  messageId: string;
  body: string;
}

/** A record whose body decoded into an event. */
export interface DecodedRecord {
  messageId: string;
  /** Position in the batch, kept so results can be reported in input order. */
  position: number;
  event: NormalizedEvent;
  /** The envelope it came in, for a copy re-enqueued for receivers still owed. */
  envelope: EnvelopeV1;
}

/** A queue message that holds a pile of parked events for one receiver, not an event. */
export interface PileRecord extends PileMessage {
  messageId: string;
}

/** All updates of one event (one uid) in the batch, collapsed to the latest. */
export interface CollapsedEvent {
  event: NormalizedEvent;
  occurrences: Occurrence[];
  /** The queue messages this event stands for. */
  messageIds: string[];
  /** Batch positions of those messages. */
  positions: number[];
  /** The envelope of the latest update (the one `event` came from). */
  envelope: EnvelopeV1;
  /** The receivers still owed this event; undefined for all that the rules choose (a fresh event). */
  owed: ReadonlySet<string> | undefined;
  /**
   * The receivers that re-enqueued copies among the updates were made for, also when a fresh update makes `owed`
   * undefined: their `repeat.every` windows were won by the invocation that made the copy. Absent without copies.
   */
  copiedFor?: ReadonlySet<string>;
  /** Failed deliveries that re-enqueued copies of this event carried (budget waits do not count). */
  failures: number;
}

/** What one receiver is told: one event, or a digest of the events sharing `group.by` values. */
export interface Notice {
  receiver: string;
  events: CollapsedEvent[];
  /** The `group.by` fields and values; undefined for a single-event notice. */
  group: Record<string, string> | undefined;
  mentions: ResolvedMentions;
}

/** A rendered message and the queue messages whose fate depends on its delivery. */
export interface PlannedMessage {
  message: RenderedMessage;
  /** The collapsed events this message tells about. */
  events: CollapsedEvent[];
  /** Who the notice behind this message @-mentions (the budget stage needs it to fold messages). */
  mentions: ResolvedMentions;
  /** An overflow summary made by the per-robot budget. */
  overflow: boolean;
  /** Events earlier invocations parked for this receiver, which this (overflow) message also covers. */
  parked?: ParkedEvents;
  /** The robot and time this message is sent with, from the receiver's reservation. */
  slot?: SendSlot;
}

/** One reserved send: which of the receiver's webhooks (a robot pool has several) and when (epoch ms). */
export interface SendSlot {
  webhook: number;
  at: number;
}

/** What a receiver's robots granted one batch: a slot per message it may send, and when the next one frees. */
export interface Grant {
  slots: SendSlot[];
  nextFreeAt: number;
  /** `table`: the shared budget; `local`: this process's share, because the table did not answer. */
  source: 'table' | 'local';
}

/** The fate of one planned message. */
export type DeliveryOutcome =
  | { planned: PlannedMessage; status: 'sent'; attempts: number }
  | {
      planned: PlannedMessage;
      status: 'retry';
      attempts: number;
      errcode: number | null;
      reason: string;
      /** The robot had no slot left before the deadline (or was blocked): a wait for budget, not a failure. */
      budget: boolean;
    }
  | { planned: PlannedMessage; status: 'dead'; attempts: number; errcode: number | null; reason: string };

/** A queue message that must go to the dead-letter queue, and why. */
export interface DeadLetter {
  messageId: string;
  reason: string;
  errcode: number | null;
  /** The body to dead-letter instead of the record's own: a copy that names only the receivers that failed. */
  body?: string;
}

/** One receiver's events that wait for a free slot, and how they wait. */
export interface Deferral {
  receiver: string;
  /** Events parked in the receiver's pile in the state table, under this parking's id. */
  parking: { id: string; uids: string[] } | undefined;
  /** Events that went back on the events queue as copies owed only to this receiver (a wake-up among them). */
  copied: string[];
  /** The parkings of piles that went back on the events queue as a message of their own. */
  requeued: string[];
  /** When the receiver's next slot frees (epoch ms). */
  until: number;
  /** Whether a delivery failed (else the robot simply had no free slot). */
  failed: boolean;
}

/** Counts for logs and metrics, one set per batch. */
export interface BatchStats {
  records: number;
  poison: number;
  events: number;
  collapsed: number;
  notified: number;
  suppressed: Partial<Record<SuppressionReason, number>>;
  messages: number;
  sent: number;
  overflowMessages: number;
  /** Namespace-annotation owners not mentioned (over the cap, not user ids, or @all not allowed): `Delivery.droppedOwners`. */
  ownersDropped: number;
  /** Messages rendered by a built-in because the receiver's own template failed (`BatchResult.templateFailures`). */
  templateErrors: number;
  retries: number;
  failuresByErrcode: Record<string, number>;
  deadLetters: number;
  retryLater: number;
  /** Send slots the receivers' robots granted, and the ones asked for but not granted (shared budget). */
  slotsGranted: number;
  slotsRefused: number;
  /** Receivers whose slots came from this process's share because the state table did not answer. */
  budgetFallbacks: number;
  /** The same per receiver (its robots): slots granted and refused in this batch. */
  slotsByReceiver: Record<string, { granted: number; refused: number }>;
  /** (event, receiver) pairs that wait for the receiver's next free slot. */
  deferred: number;
  /** Events parked by earlier invocations that a summary sent in this batch covered. */
  parkedSent: number;
  /** How long the oldest of those had waited (ms); 0 when none. */
  deferralDelayMs: number;
}

/** What the pipeline decided for a batch. */
export interface BatchResult {
  /** Message ids SQS must redeliver (transient failures). */
  retry: string[];
  /** Message ids to move to the DLQ with a reason (poison, permanent WeCom errors). */
  deadLetters: DeadLetter[];
  /** Receivers' events that wait for a free slot (parked in the state table, or re-enqueued). */
  deferrals: Deferral[];
  outcomes: DeliveryOutcome[];
  /** Templates that failed and were replaced by the built-ins, for the logs. */
  templateFailures: TemplateFailure[];
  /** Every collapsed event with the rules' verdict (notified or suppressed), for `report`'s figures. */
  verdicts: JudgedEvent[];
  stats: BatchStats;
}

export type { Suppression };
