import { performance } from 'node:perf_hooks';

/**
 * The forwarder's ports: the one clock, timer and logger every part of the forwarder takes, so tests drive time
 * and read the log without patching globals.
 */

/** A source of time in milliseconds. */
export interface Clock {
  now(): number;
}

/** Wall-clock time, milliseconds since the epoch: for what is compared with Kubernetes and checkpoint times. */
export const systemClock: Clock = { now: () => Date.now() };

/**
 * Monotonic time (milliseconds since the process started): for intervals only (linger, retry pauses), so a
 * wall-clock step never holds or rushes a batch.
 */
export const steadyClock: Clock = { now: () => performance.now() };

/** Cancels a scheduled callback; calling it after the callback ran does nothing. */
export type Cancel = () => void;

/** Schedules callbacks, so tests can run time forward instead of waiting. */
export interface Timer {
  /**
   * Calls `callback` once, `ms` from now. A `background` callback does not keep the process alive (a periodic
   * report must not delay shutdown).
   */
  schedule(ms: number, callback: () => void, options?: { background?: boolean }): Cancel;
}

/** Node's timers. */
export const systemTimer: Timer = {
  schedule(ms, callback, options) {
    const timeout = setTimeout(callback, ms);
    if (options?.background) timeout.unref();
    return () => clearTimeout(timeout);
  },
};

/** Waits `ms` on `timer`, or less if `signal` aborts first (never rejects). */
export function sleep(timer: Timer, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const cancel = timer.schedule(ms, done);
    function done() {
      cancel();
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Structured logging, fields first and message second (pino's order; the forwarder logs through pino). A line
 * without fields passes `{}`.
 */
export interface Logger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}
