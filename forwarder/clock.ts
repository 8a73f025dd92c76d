/** The forwarder's source of time, injected so tests pin it (age filters, lease expiry, checkpoint times). */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

/** The wall clock. */
export const systemClock: Clock = { now: () => Date.now() };
