/**
 * Real time plus a skew that every `sleep` adds to: time flows as usual, but a wait (a WeCom robot's 61 s block,
 * the per-minute budget) passes at once. Shared by the handler, the WeCom client and the emulator so that
 * minute-long WeCom faults run in seconds while everything else keeps real timing.
 */
export interface WarpClock {
  now: () => number;
  /** Skips `ms` ahead and resolves at once. */
  sleep: (ms: number) => Promise<void>;
  /** Total time skipped so far. */
  readonly skippedMs: number;
}

/** Creates a {@link WarpClock} starting at the real time. */
export function createWarpClock(): WarpClock {
  let skew = 0;
  return {
    now: () => Date.now() + skew,
    sleep: async (ms) => {
      skew += Math.max(0, ms);
    },
    get skippedMs() {
      return skew;
    },
  };
}
