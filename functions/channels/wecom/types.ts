/** Options of one `send`. */
export interface SendOptions {
  /** Epoch ms after which no attempt is started and no wait ends (e.g. Lambda remaining time minus a margin). */
  deadline: number;
  /** The receiver's budget; capped at WeCom's 20 per minute. Default 20. */
  maxMessagesPerMinute?: number;
}

/** A message WeCom accepted. */
export interface SendResult {
  /** HTTP requests made, including the successful one. */
  attempts: number;
  errcode: 0;
  /** WeCom's errmsg: `ok`, or a warning such as `ok. Warning: wrong json format.` (logged as suspicious). */
  errmsg: string;
}
