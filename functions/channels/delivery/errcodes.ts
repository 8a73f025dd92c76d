/**
 * What a platform result code means for delivery. Each channel has one table; this is the only place that decides
 * whether sending again can help, and how soon.
 */
export interface ErrcodeInfo {
  /** What the platform is telling us. */
  meaning: string;
  /** What an operator should do about it. */
  action: string;
  /**
   * `ok`: delivered. `permanent`: the same message will never be accepted. `retry`: transient, try again soon.
   * `rate-limited`: the robot is blocked; try again after the channel's block length. `token`: the access token
   * expired or is invalid; fetch a new one and send again (WeCom applications only).
   */
  outcome: 'ok' | 'permanent' | 'retry' | 'rate-limited' | 'token';
}

/** A channel's result codes. */
export type ErrcodeTable = ReadonlyMap<number, ErrcodeInfo>;

/** The table's entry for `code`; codes it does not know are permanent, with `lookUp` telling where to read more. */
export function explainCode(table: ErrcodeTable, code: number, lookUp: string): ErrcodeInfo {
  return (
    table.get(code) ?? {
      meaning: `code ${code} is not one this channel is known to return`,
      action: lookUp,
      outcome: 'permanent',
    }
  );
}
