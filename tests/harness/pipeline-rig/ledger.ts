import type { Message } from '@aws-sdk/client-sqs';
import { decodeEnvelope, normalizeEvent } from '../../../contracts/index.ts';
import { DEAD_LETTER_ATTRIBUTES } from '../../../functions/lambda/index.ts';
import { decodePileMessage, isPileMessageBody } from '../../../functions/deferral/index.ts';
import type { RulesEngine } from '../../../functions/rules/index.ts';
import type { RecordedMessage } from '../../../emulators/wecom/index.ts';
import type { Occurrence } from './traffic.ts';

/** Where every offered occurrence ended up; `accounted` should equal `offered`. */
export interface Tally {
  offered: number;
  /**
   * Shown in a message a robot accepted, at its own count or at the count its batch collapsed it into, or counted
   * in an accepted summary of events over a robot's budget.
   */
  delivered: number;
  /**
   * Never forwarded on its own because the API server had already replaced it with a later count (a relist after
   * 410 returns only the latest state), and that later count was delivered, or (when the rules hold it back)
   * received by the function. Included in `delivered` or `suppressed`.
   */
  coalesced: number;
  /**
   * Held back by the rules, by reason (`no-route`, `repeat`, `silence`): received by the function (it is in a batch
   * the handler was given, or a later count of it is) and judged not to notify. An occurrence the rules would hold
   * back but the function never received is missing: a forwarder that drops it must not look like a rule.
   */
  suppressed: Record<string, number>;
  /** In the DLQ with a `kube-wecom-reason`. */
  deadLettered: number;
  /** In the DLQ without a reason (the redrive policy moved it); accounted, but the reason is lost. */
  deadLetteredWithoutReason: number;
  accounted: number;
  /** Occurrences nowhere: each is a lost event. */
  missing: Occurrence[];
  /** Extra copies: the same event at the same count accepted more than once by the same robot. */
  duplicates: number;
  /** Dead-letter reasons seen (URLs and hints elided), with how many letters gave each. */
  reasons: Record<string, number>;
}

// The event lines of every built-in template: the object (`ns/name`, or `name` when cluster-scoped), then its
// count as `×N` (markdown, text, digests) or `Count: N` (a markdown_v2 single event).
const SHOWN = /((?:[a-z0-9-]+\/)?[a-z][a-z-]*-\d{6})(?![\w-])[^×]*?(?:×|Count: )(\d+)/g;

/** Which objects at which counts each robot showed, with how often. */
function shownByRobot(messages: readonly RecordedMessage[]): Map<string, number> {
  const shown = new Map<string, number>();
  for (const message of messages) {
    const content = String(message.payload.content ?? '');
    for (const match of content.matchAll(SHOWN)) {
      const key = `${message.key} ${match[1]}#${match[2]}`;
      shown.set(key, (shown.get(key) ?? 0) + 1);
    }
  }
  return shown;
}

/**
 * Accounts for every offered occurrence: delivered (its object and count in an accepted message — or the count
 * its batch collapsed it into), suppressed by rule (received by the function, and held back by the rules: the
 * engine is asked why, never whether it arrived), dead-lettered (its envelope
 * in the DLQ), coalesced by the API server into a later delivered count, or missing. `batches` are the bodies of
 * every invocation, to know what each occurrence was collapsed with.
 */
export function account(input: {
  offered: readonly Occurrence[];
  engine: RulesEngine;
  messages: readonly RecordedMessage[];
  deadLetters: readonly Message[];
  batches: readonly (readonly string[])[];
  /** Uids of events an accepted summary covered (counted, not listed): the function's report of its summaries. */
  summarized: ReadonlySet<string>;
  /**
   * The uids of the events each parking held, by parking id: a pile of parked events that can go nowhere is
   * dead-lettered as one letter naming its parkings (their counts, not their envelopes).
   */
  parkedUids?: (parkingId: string) => readonly string[] | undefined;
  now: number;
}): Tally {
  const perRobot = shownByRobot(input.messages);
  const shown = new Set<string>();
  let duplicates = 0;
  for (const [key, times] of perRobot) {
    shown.add(key.slice(key.indexOf(' ') + 1));
    duplicates += times - 1;
  }
  const highestShown = new Map<string, number>();
  for (const key of shown) {
    const [object, count] = key.split('#') as [string, string];
    highestShown.set(object, Math.max(highestShown.get(object) ?? 0, Number(count)));
  }
  // An occurrence collapsed into the latest count of its uid within each batch that carried it.
  const collapsedInto = new Map<string, Set<number>>();
  // The highest count of each uid the function received.
  const highestReceived = new Map<string, number>();
  for (const bodies of input.batches) {
    const top = new Map<string, number>();
    const parsed = bodies.map(identify).filter((id) => id !== undefined);
    for (const { uid, count } of parsed) {
      top.set(uid, Math.max(top.get(uid) ?? 0, count));
      highestReceived.set(uid, Math.max(highestReceived.get(uid) ?? 0, count));
    }
    for (const { uid, count } of parsed) {
      const key = `${uid}#${count}`;
      if (!collapsedInto.has(key)) collapsedInto.set(key, new Set());
      collapsedInto.get(key)!.add(top.get(uid)!);
    }
  }
  const dead = new Map<string, boolean>();
  const deadPiled = new Map<string, boolean>();
  const reasons: Record<string, number> = {};
  for (const letter of input.deadLetters) {
    const id = identify(letter.Body ?? '');
    const reason = letter.MessageAttributes?.[DEAD_LETTER_ATTRIBUTES.reason]?.StringValue;
    if (reason) {
      // One line per kind of failure: the per-request hint and the (redacted) URL differ on every letter.
      const kind = reason.replace(/https?:\/\/\S+/g, '<webhook>').replace(/hint: \[\d+\]/g, 'hint: […]');
      reasons[kind] = (reasons[kind] ?? 0) + 1;
    }
    if (id) dead.set(`${id.uid}#${id.count}`, Boolean(reason) || dead.get(`${id.uid}#${id.count}`) === true);
    for (const uid of pileUids(letter.Body ?? '', input.parkedUids))
      deadPiled.set(uid, Boolean(reason) || deadPiled.get(uid) === true);
  }

  // A dead letter that owes only some receivers holds the latest update its batch collapsed the event into, for
  // each of that event's queue messages: an occurrence is dead-lettered if the count it was collapsed into is.
  const deadAs = (key: string): boolean | undefined => {
    if (dead.has(key)) return dead.get(key);
    const uid = key.slice(0, key.lastIndexOf('#'));
    const into = [...(collapsedInto.get(key) ?? [])].filter((count) => dead.has(`${uid}#${count}`));
    return into.length === 0 ? undefined : into.some((count) => dead.get(`${uid}#${count}`));
  };
  const tally: Tally = {
    offered: input.offered.length,
    delivered: 0,
    coalesced: 0,
    suppressed: {},
    deadLettered: 0,
    deadLetteredWithoutReason: 0,
    accounted: 0,
    missing: [],
    duplicates,
    reasons,
  };
  for (const occurrence of input.offered) {
    const verdict = input.engine.evaluate(occurrence.event, input.now);
    const key = `${occurrence.uid}#${occurrence.count}`;
    if (!verdict.notify) {
      const received = collapsedInto.has(key);
      const supersededCount = highestReceived.get(occurrence.uid) ?? 0;
      if (!received && supersededCount <= occurrence.count) {
        tally.missing.push(occurrence);
        continue;
      }
      if (!received) tally.coalesced++;
      const reason = verdict.suppressedBy!.reason;
      tally.suppressed[reason] = (tally.suppressed[reason] ?? 0) + 1;
    } else if (
      shown.has(`${occurrence.object}#${occurrence.count}`) ||
      [...(collapsedInto.get(key) ?? [])].some((count) => shown.has(`${occurrence.object}#${count}`)) ||
      input.summarized.has(occurrence.uid)
    ) {
      tally.delivered++;
    } else if (deadAs(key) !== undefined || deadPiled.has(occurrence.uid)) {
      if (deadAs(key) || deadPiled.get(occurrence.uid)) tally.deadLettered++;
      else tally.deadLetteredWithoutReason++;
    } else if ((highestShown.get(occurrence.object) ?? 0) > occurrence.count) {
      tally.delivered++;
      tally.coalesced++;
    } else {
      tally.missing.push(occurrence);
    }
  }
  const suppressed = Object.values(tally.suppressed).reduce((a, b) => a + b, 0);
  tally.accounted = tally.delivered + suppressed + tally.deadLettered + tally.deadLetteredWithoutReason;
  return tally;
}

/** The uids of the events in a dead-lettered pile of parked events (`{"parked":…,"parkings":[…]}`), if it is one. */
function pileUids(
  body: string,
  parkedUids: ((parkingId: string) => readonly string[] | undefined) | undefined,
): string[] {
  if (!parkedUids || !isPileMessageBody(body)) return [];
  return decodePileMessage(body).pile.parkings.flatMap((id) => [...(parkedUids(id) ?? [])]);
}

/** The uid and count of the event in a queue message body, or undefined for a body that is not an envelope. */
function identify(body: string): { uid: string; count: number } | undefined {
  try {
    const event = normalizeEvent(decodeEnvelope(body));
    return { uid: event.uid, count: event.count };
  } catch {
    return undefined;
  }
}
