import type { NormalizedEvent } from '../../contracts/index.ts';
import type { CountRepeatPolicy, RepeatPolicy } from '../bundle/index.ts';
import { parseDuration } from '../bundle/index.ts';

/** One observation of an event: what the forwarder saw (the watch type) and the occurrence count then. */
export interface Occurrence {
  watchType: 'ADDED' | 'MODIFIED';
  count: number;
}

/**
 * Stateless de-duplication by occurrence count (Contract 3). The function keeps no memory between invocations,
 * so the decision rests on what each update itself says: `first` notifies on the first sighting, `exponential`
 * on the first and then at counts 2, 4, 8, 16 … so a crash-looping pod is reported with falling frequency.
 */
export function repeatAllows(policy: CountRepeatPolicy, occurrence: Occurrence): boolean {
  switch (policy) {
    case 'always':
      return true;
    case 'first':
      return occurrence.watchType === 'ADDED' || occurrence.count === 1;
    case 'exponential':
      return occurrence.watchType === 'ADDED' || isPowerOfTwo(occurrence.count);
  }
}

/**
 * Updates of one event collapsed in a batch notify if any one of them would have. A time-based policy lets every
 * update through here: whether its window was already notified is the claim stage's question.
 */
export function repeatAllowsAny(policy: RepeatPolicy, occurrences: readonly Occurrence[]): boolean {
  if (typeof policy === 'object') return true;
  for (const occurrence of occurrences) if (repeatAllows(policy, occurrence)) return true;
  return false;
}

/** The window length of a time-based policy in ms; undefined for a count-based one. */
export function repeatWindowMs(policy: RepeatPolicy): number | undefined {
  return typeof policy === 'object' ? parseDuration(policy.every) : undefined;
}

/**
 * What a time-based repeat must win before it notifies: the one key of (event, receiver, window), created at
 * most once in the state table. Windows count from the event's first-seen time, and the update is placed by its
 * own last-seen time, not by the clock: a redelivery of the same update, however late, lands in the same window
 * and finds the key taken.
 */
export interface RepeatClaim {
  key: string;
  /** How long the table keeps the key: the window, plus the events queue's retention so a late redelivery still finds it. */
  ttlSeconds: number;
}

/** The events queue keeps a message 1 day (infra/cloudformation/queues.yml): no redelivery comes later. */
const REDELIVERY_HORIZON_SECONDS = 86_400;

/** The claim for `event` to `receiver` under a window of `windowMs`; `now` places events without timestamps. */
export function repeatClaim(
  event: Pick<NormalizedEvent, 'uid' | 'firstSeen' | 'lastSeen'>,
  receiver: string,
  windowMs: number,
  now: number,
): RepeatClaim {
  const seenAt = event.lastSeen === null ? now : Date.parse(event.lastSeen);
  const since = event.firstSeen === null ? 0 : Date.parse(event.firstSeen);
  const window = Math.floor(Math.max(0, seenAt - since) / windowMs);
  return {
    // The window length is part of the key, so editing `every` starts fresh windows instead of colliding.
    key: `${event.uid}/${receiver}/${windowMs}/${window}`,
    ttlSeconds: Math.ceil(windowMs / 1000) + REDELIVERY_HORIZON_SECONDS,
  };
}

function isPowerOfTwo(n: number): boolean {
  // log2 is exact for powers of two, and unlike bit tricks it works past 2^31.
  return n > 0 && Number.isInteger(Math.log2(n));
}
