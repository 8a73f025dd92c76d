/** Options of one `send`. */
export interface SendOptions {
  /** Epoch ms after which no attempt is started and no wait ends (e.g. Lambda remaining time minus a margin). */
  deadline: number;
  /** The receiver's budget; capped at WeCom's 20 per minute. Default 20. */
  maxMessagesPerMinute?: number;
  /**
   * Where each attempt's send slot on this robot comes from (the shared budget). Default: this process's own
   * per-robot window, which waits for a slot until the deadline.
   */
  gate?: SendGate;
}

/** Hands out send slots on one robot, one per attempt. */
export interface SendGate {
  /** The time (epoch ms) of the next attempt's slot, at or after `now` and not after `latest`; null when none. */
  next(now: number, latest: number): Promise<number | null>;
  /** The robot answered "rate limited" (someone else shares it): no slot before `until`. */
  block(until: number): Promise<void>;
}

/** A message WeCom accepted. */
export interface SendResult {
  /** HTTP requests made, including the successful one. */
  attempts: number;
  errcode: 0;
  /** WeCom's errmsg: `ok`, or a warning such as `ok. Warning: wrong json format.` (logged as suspicious). */
  errmsg: string;
}
