/** A count of messages per window. */
export interface RateWindow {
  messages: number;
  windowMs: number;
}

/** How a platform limits one robot: every window must allow a message; going over may block the robot. */
export interface RobotRateOptions {
  windows: readonly RateWindow[];
  /** How long every message is refused after one went over a window (0: no block, only the windows). */
  blockMs: number;
}

/** Whether a message was let through, and if not, which window it went over (`null`: the robot is blocked). */
export type Admission = { admitted: true } | { admitted: false; window: RateWindow | null };

/**
 * Per-robot sliding windows with the block that follows going over, as the platforms enforce them. Only admitted
 * messages count: refused calls neither count nor extend a block (no platform documents otherwise).
 */
export class RobotRateLimit {
  private readonly robots = new Map<string, { sent: number[]; blockedUntil: number }>();

  constructor(private readonly options: RobotRateOptions) {}

  admit(robot: string, now: number): Admission {
    const state = this.robots.get(robot) ?? { sent: [], blockedUntil: 0 };
    this.robots.set(robot, state);
    if (now < state.blockedUntil) return { admitted: false, window: null };
    const longest = Math.max(0, ...this.options.windows.map((w) => w.windowMs));
    while (state.sent.length > 0 && state.sent[0]! <= now - longest) state.sent.shift();
    const over = this.options.windows.find(
      (w) => state.sent.filter((t) => t > now - w.windowMs).length >= w.messages,
    );
    if (over) {
      state.blockedUntil = now + this.options.blockMs;
      return { admitted: false, window: over };
    }
    state.sent.push(now);
    return { admitted: true };
  }

  /** Forgets every count and block. */
  clear(): void {
    this.robots.clear();
  }
}
