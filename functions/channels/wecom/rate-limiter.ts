/**
 * Per-robot send budget inside one process. WeCom allows 20 messages per robot per minute and answers the 21st with
 * 45009 and a ~60 s block (docs/wecom.md, Rate limit). A token bucket of 20 refilled at 20/min would still allow 21+
 * requests inside some 60 s window, so this keeps, per robot, the times of its recent (and reserved) sends and
 * grants a slot only when at most `limit - 1` others fall in the window before it — a sliding window, the stricter
 * of the two possible server behaviours. Every attempt reserves a slot, including retries and rejected sends,
 * because WeCom may count those too.
 */
export class RobotRateLimiter {
  private readonly robots = new Map<string, { sends: number[]; blockedUntil: number }>();

  constructor(
    /** The window length; a little over WeCom's minute, because our clock and WeCom's disagree slightly. */
    private readonly windowMs: number,
  ) {}

  /**
   * Reserves the earliest slot for `robotId` at or after `now`, unless it lies beyond `latest`; returns the slot
   * time, or `null` (and reserves nothing) when it is too late. Synchronous, so concurrent sends never share a slot.
   */
  reserve(robotId: string, now: number, limit: number, latest: number): number | null {
    const robot = this.robot(robotId);
    const sends = robot.sends;
    while (sends.length > 0 && sends[0]! <= now - this.windowMs) sends.shift();
    let slot = Math.max(now, robot.blockedUntil, sends.at(-1) ?? now);
    if (sends.length >= limit) slot = Math.max(slot, sends[sends.length - limit]! + this.windowMs);
    if (slot > latest) return null;
    sends.push(slot);
    return slot;
  }

  /** WeCom said 45009: no slot for this robot before `until`, whatever our own count says (other senders share it). */
  block(robotId: string, until: number): void {
    const robot = this.robot(robotId);
    robot.blockedUntil = Math.max(robot.blockedUntil, until);
  }

  private robot(robotId: string): { sends: number[]; blockedUntil: number } {
    let robot = this.robots.get(robotId);
    if (!robot) {
      robot = { sends: [], blockedUntil: 0 };
      this.robots.set(robotId, robot);
    }
    return robot;
  }
}
