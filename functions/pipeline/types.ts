import type { NormalizedEvent } from '../../contracts/index.ts';
import type { Occurrence, ResolvedMentions, Suppression } from '../rules/index.ts';
import type { RenderedMessage } from '../render/index.ts';
import type { TemplateFailure } from './template-failures.ts';

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
}

/** All updates of one event (one uid) in the batch, collapsed to the latest. */
export interface CollapsedEvent {
  event: NormalizedEvent;
  occurrences: Occurrence[];
  /** The queue messages this event stands for. */
  messageIds: string[];
  /** Batch positions of those messages. */
  positions: number[];
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
}

/** The fate of one planned message. */
export type DeliveryOutcome =
  | { planned: PlannedMessage; status: 'sent'; attempts: number }
  | { planned: PlannedMessage; status: 'retry'; attempts: number; errcode: number | null; reason: string }
  | { planned: PlannedMessage; status: 'dead'; attempts: number; errcode: number | null; reason: string };

/** A queue message that must go to the dead-letter queue, and why. */
export interface DeadLetter {
  messageId: string;
  reason: string;
  errcode: number | null;
}

/** Counts for logs and metrics, one set per batch. */
export interface BatchStats {
  records: number;
  poison: number;
  events: number;
  collapsed: number;
  notified: number;
  suppressed: Partial<Record<'no-route' | 'repeat' | 'silence', number>>;
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
}

/** What the pipeline decided for a batch. */
export interface BatchResult {
  /** Message ids SQS must redeliver (transient failures). */
  retry: string[];
  /** Message ids to move to the DLQ with a reason (poison, permanent WeCom errors). */
  deadLetters: DeadLetter[];
  outcomes: DeliveryOutcome[];
  /** Templates that failed and were replaced by the built-ins, for the logs. */
  templateFailures: TemplateFailure[];
  stats: BatchStats;
}

export type { Suppression };
