/** A robot's identity in the ledger: a hash of its webhook key, never the key itself (see `robotIdOf`). */
export type RobotId = string & { readonly __brand: 'RobotId' };

/** At most `limit` sends in any `windowMs` sliding window. */
export interface BudgetWindow {
  limit: number;
  windowMs: number;
}

/** What a platform allows one robot: every window at once, and how long it blocks a robot that overshoots. */
export interface RobotPolicy {
  windows: readonly BudgetWindow[];
  blockMs: number;
}

/**
 * A robot's shared budget as the table holds it. Sends are numbered 0, 1, 2, … in the order they were reserved;
 * `ring[m % ring size]` is the slot time (epoch ms) of the latest send whose number is `m` modulo the ring size, so
 * the ring remembers exactly the last ring-size sends. Missing entries (a sparse array) mean "no such send".
 */
export interface BudgetState {
  /** Sends reserved so far. */
  n: number;
  ring: readonly (number | undefined)[];
  /** Epoch ms before which the platform refuses this robot (after 45009 / 130101). */
  blockedUntil: number;
}

/** One reservation's change to a robot's item, applied only if the item still matches `expected`. */
export interface SlotAppend {
  expected: Pick<BudgetState, 'n' | 'blockedUntil'>;
  /** New ring entries: ring index and slot time. */
  writes: readonly { index: number; time: number }[];
  /** TTL of the item, epoch seconds. */
  expiresAt: number;
}

/** The outcome of one compare-and-set: the state the store now holds, whether or not the change was applied. */
export interface AppendOutcome {
  applied: boolean;
  state: BudgetState;
  /** Requests the store made to answer (1, or 2 when it had to fetch the state a failed condition did not carry). */
  requests: number;
}

/**
 * Where budgets and claims live: DynamoDB in production, memory for `preview`, `report` and unit tests. Both give
 * the same compare-and-set semantics; a store throws only when it cannot answer (unreachable, throttled, slow).
 */
export interface BudgetStore {
  append(robot: RobotId, change: SlotAppend): Promise<AppendOutcome>;
  /** Raises the robot's `blockedUntil` to `until` unless it is already later; never lowers it. */
  raiseBlock(robot: RobotId, until: number, expiresAt: number): Promise<void>;
  /** Creates `key` unless it exists; true when this call created it. */
  claim(key: string, expiresAt: number): Promise<boolean>;
}

/** The logger port: the ledger only ever warns (falling back, contention it gave up on). */
export interface BudgetLogger {
  warn(message: string, fields: Record<string, unknown>): void;
}

/** The slots a reservation got. */
export interface Reservation {
  /** Send times in epoch ms, ascending, each within [now, now + maxWaitMs]. */
  slots: number[];
  /** The earliest time a further slot frees. */
  nextFreeAt: number;
  /** `table` when the shared budget answered; `local` when the per-process fallback did. */
  source: 'table' | 'local';
}

/** Counters per robot since the ledger was created, for metrics and logs. */
export interface RobotBudgetStats {
  granted: number;
  refused: number;
  /** Reservations answered by the per-process fallback because the table could not. */
  fallbacks: number;
  /** Requests the store answered for this robot (a request that failed is a fallback instead). */
  requests: number;
  /** Compare-and-set attempts another container won first. */
  conflicts: number;
}

export interface ClaimStats {
  claimed: number;
  duplicates: number;
  fallbacks: number;
  requests: number;
}

export interface BudgetStats {
  robots: Record<string, RobotBudgetStats>;
  claims: ClaimStats;
}
