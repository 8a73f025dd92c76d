/** How the emulator counts a robot's messages per minute; WeCom does not document which it uses. */
export interface RateLimitOptions {
  /** Messages allowed per window (default 20). */
  perMinute?: number;
  /** Window length (default 60 s). */
  windowMs?: number;
  /** How long a robot stays blocked after going over (default 60 s). */
  blockMs?: number;
  /** `sliding` (default): any 60 s span; `fixed`: calendar minutes. */
  window?: 'sliding' | 'fixed';
  /** Whether rejected calls (bad bodies, 45009s) use up the budget too (default false). */
  countRejected?: boolean;
}

/** Per-key counting of messages inside the window, with the ~60 s block that follows going over. */
export class RateWindow {
  private readonly perMinute: number;
  private readonly windowMs: number;
  private readonly blockMs: number;
  private readonly fixed: boolean;
  /** Whether rejected calls are counted; read by the server. */
  readonly countRejected: boolean;
  private readonly keys = new Map<string, { calls: number[]; blockedUntil: number }>();

  constructor(options: RateLimitOptions = {}) {
    this.perMinute = options.perMinute ?? 20;
    this.windowMs = options.windowMs ?? 60_000;
    this.blockMs = options.blockMs ?? 60_000;
    this.fixed = options.window === 'fixed';
    this.countRejected = options.countRejected ?? false;
  }

  /** Decides whether a message for `key` at `now` is allowed; an allowed one is counted, a refused one may start a block. */
  admit(key: string, now: number): boolean {
    const state = this.state(key);
    if (now < state.blockedUntil || this.inWindow(state.calls, now) >= this.perMinute) {
      if (now >= state.blockedUntil) state.blockedUntil = now + this.blockMs;
      if (this.countRejected) state.calls.push(now);
      return false;
    }
    state.calls.push(now);
    return true;
  }

  /** Counts a call that was rejected for another reason (only when `countRejected`). */
  countRejectedCall(key: string, now: number): void {
    if (this.countRejected) this.state(key).calls.push(now);
  }

  /** Forgets every count and block. */
  clear(): void {
    this.keys.clear();
  }

  private inWindow(calls: number[], now: number): number {
    while (calls.length > 0 && calls[0]! <= now - this.windowMs) calls.shift();
    if (!this.fixed) return calls.length;
    const minuteStart = now - (now % this.windowMs);
    return calls.filter((t) => t >= minuteStart).length;
  }

  private state(key: string): { calls: number[]; blockedUntil: number } {
    let s = this.keys.get(key);
    if (!s) {
      s = { calls: [], blockedUntil: 0 };
      this.keys.set(key, s);
    }
    return s;
  }
}
