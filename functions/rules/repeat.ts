import type { RepeatPolicy } from '../bundle/index.ts';

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
export function repeatAllows(policy: RepeatPolicy, occurrence: Occurrence): boolean {
  switch (policy) {
    case 'always':
      return true;
    case 'first':
      return occurrence.watchType === 'ADDED' || occurrence.count === 1;
    case 'exponential':
      return occurrence.watchType === 'ADDED' || isPowerOfTwo(occurrence.count);
  }
}

/** Updates of one event collapsed in a batch notify if any one of them would have. */
export function repeatAllowsAny(policy: RepeatPolicy, occurrences: readonly Occurrence[]): boolean {
  for (const occurrence of occurrences) if (repeatAllows(policy, occurrence)) return true;
  return false;
}

function isPowerOfTwo(n: number): boolean {
  // log2 is exact for powers of two, and unlike bit tricks it works past 2^31.
  return n > 0 && Number.isInteger(Math.log2(n));
}
