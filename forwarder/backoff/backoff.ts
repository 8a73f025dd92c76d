/** Capped exponential backoff, so many replicas or retries do not reconnect in lockstep. */
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
}

/** The delay cap of retry `attempt` (0 for the first retry): min(max, initial·2^attempt). */
export function backoffCeiling(options: BackoffOptions, attempt: number): number {
  return Math.min(options.maxMs, options.initialMs * 2 ** attempt);
}

/** Produces successive jittered delays; `reset()` after a success. */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly options: BackoffOptions,
    private readonly random: () => number = Math.random,
  ) {}

  /** The delay before the next attempt: between half and all of the attempt's ceiling. */
  next(): number {
    const ceiling = backoffCeiling(this.options, this.attempt);
    this.attempt = Math.min(this.attempt + 1, 30);
    return Math.round(ceiling / 2 + (ceiling / 2) * this.random());
  }

  reset(): void {
    this.attempt = 0;
  }
}
