import type { ParkedEvents } from '../deferral/index.ts';
import { mergeMentions } from '../rules/index.ts';
import type { ResolvedMentions } from '../rules/index.ts';
import type { Waiting } from './budget-stage.ts';
import type { BatchStats, CollapsedEvent, DeliveryOutcome, Grant } from './types.ts';

/** One receiver's events that must wait for a later slot, and the piles taken from the table to put back. */
export interface ReceiverWait {
  events: CollapsedEvent[];
  piles: ParkedEvents[];
  mentions: ResolvedMentions;
  /** When to try again (epoch ms). */
  until: number;
  /** A delivery failed (else the robot had no slot): the wait counts towards `maxFailures`. */
  failed: boolean;
  /** The last failure's reason and errcode, when `failed`. */
  reason: string;
  errcode: number | null;
}

/** A receiver that cannot be delivered to: its events and piles go to the DLQ with the reason. */
export interface DeadEnd {
  reason: string;
  errcode: number | null;
}

/** Every (event, receiver) pair's fate after delivery, and every parked pile's. */
export interface Fates {
  waits: Map<string, ReceiverWait>;
  /** The receivers each event was delivered to in this batch. */
  delivered: Map<CollapsedEvent, Set<string>>;
  dead: Map<CollapsedEvent, Map<string, DeadEnd>>;
  deadPiles: { receiver: string; pile: ParkedEvents; end: DeadEnd }[];
}

/** The delivery figures of the batch. */
export type SettleCounts = Pick<
  BatchStats,
  'sent' | 'retries' | 'failuresByErrcode' | 'deferred' | 'parkedSent' | 'deferralDelayMs'
>;

export interface SettleOptions {
  now: number;
  grants: ReadonlyMap<string, Grant>;
  /** Failed deliveries after which an event (or pile) is dead-lettered instead of waiting again. */
  maxFailures: number;
}

// After a failure, wait 15 s, 30 s, 60 s … (at most SQS's longest delay, 15 minutes) before trying again.
const FAILURE_DELAY_MS = 15_000;
const MAX_DELAY_MS = 900_000;
// WeCom blocks a robot for about a minute after 45009; someone else's sends caused it, so it is no failure of ours.
const RATE_LIMIT_BLOCK_MS = 61_000;
const RATE_LIMITED = 45009;

/**
 * Delivery outcomes → what each receiver still owes. An event a receiver got is done for that receiver, whatever
 * happened elsewhere. One that got no slot, or whose message hit a busy robot, waits (budget waits never count
 * as failures); one whose message failed transiently waits with a growing delay and a failure counted, and after
 * `maxFailures` is dead-lettered; a permanent failure is dead-lettered at once. Parked piles a summary carried share
 * its fate.
 */
export function settleOutcomes(
  outcomes: readonly DeliveryOutcome[],
  waiting: ReadonlyMap<string, Waiting>,
  options: SettleOptions,
): { fates: Fates; counts: SettleCounts } {
  const stats: SettleCounts = {
    sent: 0,
    retries: 0,
    failuresByErrcode: {},
    deferred: 0,
    parkedSent: 0,
    deferralDelayMs: 0,
  };
  const { now, grants, maxFailures } = options;
  const delivered = new Map<CollapsedEvent, Set<string>>();
  const fates: Fates = { waits: new Map(), delivered, dead: new Map(), deadPiles: [] };
  const waitOf = (receiver: string, until: number, failed: boolean) => {
    let wait = fates.waits.get(receiver);
    if (!wait) {
      wait = {
        events: [],
        piles: [],
        mentions: { users: [], mobiles: [], all: false },
        until,
        failed,
        reason: '',
        errcode: null,
      };
      fates.waits.set(receiver, wait);
    }
    wait.until = Math.max(wait.until, until);
    wait.failed ||= failed;
    return wait;
  };
  const kill = (event: CollapsedEvent, receiver: string, end: DeadEnd) => {
    let ends = fates.dead.get(event);
    if (!ends) fates.dead.set(event, (ends = new Map()));
    if (!ends.has(receiver)) ends.set(receiver, end);
  };

  for (const outcome of outcomes) {
    stats.retries += Math.max(0, outcome.attempts - 1);
    const { planned } = outcome;
    const receiver = planned.message.receiver;
    if (outcome.status === 'sent') {
      stats.sent++;
      for (const event of planned.events) {
        const got = delivered.get(event) ?? new Set<string>();
        delivered.set(event, got.add(receiver));
      }
      if (planned.parked) {
        stats.parkedSent += planned.parked.tally.total;
        stats.deferralDelayMs = Math.max(stats.deferralDelayMs, now - planned.parked.since);
      }
      continue;
    }
    const code = outcome.errcode === null ? 'none' : String(outcome.errcode);
    stats.failuresByErrcode[code] = (stats.failuresByErrcode[code] ?? 0) + 1;
    if (outcome.status === 'dead') {
      const end = { reason: outcome.reason, errcode: outcome.errcode };
      for (const event of planned.events) kill(event, receiver, end);
      if (planned.parked) fates.deadPiles.push({ receiver, pile: planned.parked, end });
      continue;
    }
    const failed = !outcome.budget;
    const until = failed
      ? now + FAILURE_DELAY_MS
      : Math.max(
          grants.get(receiver)?.nextFreeAt ?? now,
          outcome.errcode === RATE_LIMITED ? now + RATE_LIMIT_BLOCK_MS : now,
        );
    const wait = waitOf(receiver, until, failed);
    mergeMentions(wait.mentions, planned.mentions);
    for (const event of planned.events) {
      if (failed && event.failures + 1 >= maxFailures) {
        kill(event, receiver, {
          reason: `failed ${event.failures + 1} times: ${outcome.reason}`,
          errcode: outcome.errcode,
        });
      } else wait.events.push(event);
    }
    if (planned.parked) wait.piles.push(planned.parked);
    wait.reason = outcome.reason;
    wait.errcode = outcome.errcode;
  }
  for (const [receiver, { events, mentions }] of waiting) {
    const wait = waitOf(receiver, grants.get(receiver)?.nextFreeAt ?? now, false);
    mergeMentions(wait.mentions, mentions);
    wait.events.push(...events);
  }
  for (const [receiver, wait] of fates.waits) {
    // A message that went out covers its events for this receiver, even if another message about them failed.
    wait.events = [...new Set(wait.events)].filter((event) => !delivered.get(event)?.has(receiver));
    if (wait.failed && wait.events.length === 0) {
      // With no event left to carry them, the piles travel on their own and count their own failures, so a robot
      // that never recovers sends them to the DLQ after `maxFailures`, not round and round until their TTL.
      const end = { reason: `failed ${maxFailures} times: ${wait.reason}`, errcode: wait.errcode };
      const exhausted = wait.piles.filter((pile) => (pile.failures ?? 0) + 1 >= maxFailures);
      for (const pile of exhausted) fates.deadPiles.push({ receiver, pile, end });
      wait.piles = wait.piles.filter((pile) => !exhausted.includes(pile));
    }
    if (wait.failed) {
      const failures = Math.max(
        0,
        ...wait.events.map((event) => event.failures),
        ...wait.piles.map((pile) => pile.failures ?? 0),
      );
      wait.until = Math.max(wait.until, now + Math.min(MAX_DELAY_MS, FAILURE_DELAY_MS * 2 ** failures));
    }
    stats.deferred += wait.events.length;
    if (wait.events.length === 0 && wait.piles.length === 0) fates.waits.delete(receiver);
  }
  return { fates, counts: stats };
}
