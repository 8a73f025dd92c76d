import type { Clock, Timer } from '../../forwarder/index.ts';

/** A forwarder clock and timer that move only when the test advances them. */
export interface ManualTime extends Clock, Timer {
  /** Runs every callback due within `ms`, in time order, letting promises settle after each. */
  advance(ms: number): Promise<void>;
}

export function manualTime(): ManualTime {
  let now = 0;
  let due: Array<{ at: number; callback: () => void }> = [];
  return {
    now: () => now,
    schedule(ms, callback) {
      const entry = { at: now + ms, callback };
      due.push(entry);
      return () => void (due = due.filter((d) => d !== entry));
    },
    async advance(ms) {
      const until = now + ms;
      for (;;) {
        const next = due.filter((d) => d.at <= until).sort((a, b) => a.at - b.at)[0];
        if (!next) break;
        due = due.filter((d) => d !== next);
        now = next.at;
        next.callback();
        await settle();
      }
      now = until;
      await settle();
    },
  };
}

/** Lets pending promise callbacks and I/O callbacks run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}
