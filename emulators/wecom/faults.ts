/** Which requests a fault applies to, and how often. */
export interface FaultScope {
  /** Only requests for this key (default: every key). */
  key?: string;
  /** Fire this many times, then disappear (default: until removed). */
  times?: number;
  /** Chance per matching request, 0–1 (default 1). */
  probability?: number;
}

/** Misbehaviour the emulator can inject, to test the client's handling of each. */
export type Fault = FaultScope &
  (
    | { kind: 'latency'; ms: number }
    | { kind: 'http-status'; status: number; body?: string; headers?: Record<string, string> }
    | { kind: 'reset' }
    /** `reason` replaces the errmsg's reason part; with errcode 0 it is the whole errmsg. */
    | { kind: 'errcode'; errcode: number; reason?: string }
    | { kind: 'hang' }
  );

/** What the emulator does with one request once the faults have had their say. */
export interface FaultPlan {
  /** Real milliseconds to wait before answering. */
  delayMs: number;
  /** The fault that replaces the normal answer, if any. */
  override?: Exclude<Fault, { kind: 'latency' }>;
}

/** The active faults, in injection order. Latency faults add up; the first answer-replacing fault wins. */
export class FaultTable {
  private faults: { fault: Fault; remaining: number }[] = [];

  constructor(private readonly random: () => number) {}

  /** Adds a fault; returns a function that removes it. */
  add(fault: Fault): () => void {
    const entry = { fault, remaining: fault.times ?? Infinity };
    this.faults.push(entry);
    return () => {
      this.faults = this.faults.filter((f) => f !== entry);
    };
  }

  /** Decides what happens to a request for `key`, consuming counted faults that fire. */
  plan(key: string): FaultPlan {
    const plan: FaultPlan = { delayMs: 0 };
    for (const entry of this.faults) {
      const { fault } = entry;
      if (entry.remaining <= 0 || (fault.key !== undefined && fault.key !== key)) continue;
      if (fault.kind !== 'latency' && plan.override) continue;
      if (this.random() >= (fault.probability ?? 1)) continue;
      entry.remaining -= 1;
      if (fault.kind === 'latency') plan.delayMs += fault.ms;
      else plan.override = fault;
    }
    this.faults = this.faults.filter((f) => f.remaining > 0);
    return plan;
  }

  /** Removes every fault. */
  clear(): void {
    this.faults = [];
  }
}
