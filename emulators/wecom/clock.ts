/**
 * A clock that only moves when told to, shared by the WeCom client and the emulator so that a test can cross a
 * 60 s rate-limit window instantly. `sleep` advances the clock by the requested time and resolves at once.
 */
export interface ManualClock {
  /** Current time in epoch ms. */
  now: () => number;
  /** Advances time by `ms` and resolves immediately; the durations are kept in `sleeps`. */
  sleep: (ms: number) => Promise<void>;
  /** Advances time by `ms`. */
  advance: (ms: number) => void;
  /** Every duration passed to `sleep`, in order. */
  readonly sleeps: number[];
}

/** Creates a manual clock starting at `start` (default 2026-11-27T02:00:00Z). */
export function createManualClock(start = Date.UTC(2026, 10, 27, 2, 0, 0)): ManualClock {
  let now = start;
  const sleeps: number[] = [];
  return {
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += Math.max(0, ms);
    },
    advance: (ms) => {
      now += ms;
    },
    sleeps,
  };
}
