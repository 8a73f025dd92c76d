import { errorReason } from '../ports.ts';
import { appendSlots, EMPTY_BUDGET, expiresAtFor, localShare, planSlots } from './slots.ts';
import type {
  BudgetLogger,
  BudgetState,
  BudgetStats,
  BudgetStore,
  ClaimStats,
  Reservation,
  RobotBudgetStats,
  RobotId,
  RobotPolicy,
} from './types.ts';

export interface BudgetLedgerOptions {
  store: BudgetStore;
  logger: BudgetLogger;
  /** Added to every window (default 2,000 ms). It must exceed the spread between the containers' clocks. */
  marginMs?: number;
  /** Invocations that may run at once; the per-process fallback gets this share of each limit (default 5). */
  concurrency?: number;
  /** Compare-and-set attempts per reservation before answering "no slot yet" (default 6). */
  maxAttempts?: number;
  /**
   * After the table failed, calls whose `now` is within this of the failure use the fallback without asking it
   * (default 5,000 ms): a batch that reserves for many robots or claims many keys one after another would otherwise
   * wait out the client's timeouts once per call. The first call after that tries the table again.
   */
  tableRetryMs?: number;
}

export interface ReserveRequest {
  robot: RobotId;
  policy: RobotPolicy;
  wanted: number;
  now: number;
  /** How far past `now` a slot may lie; 0 for "only what is free now". */
  maxWaitMs: number;
}

/**
 * One robot budget shared by every invocation, container and cluster (the table), with a per-process fallback for
 * when the table cannot answer. Each container remembers the last state it saw of each robot: when that state
 * already leaves no slot in time, the answer needs no request, because a budget only gets stricter as others
 * reserve (slots that age out are computed from the remembered ring).
 */
export class BudgetLedger {
  private readonly store: BudgetStore;
  private readonly logger: BudgetLogger;
  private readonly marginMs: number;
  private readonly concurrency: number;
  private readonly maxAttempts: number;
  private readonly seen = new Map<RobotId, BudgetState>();
  private readonly local = new Map<RobotId, BudgetState>();
  private readonly localClaims = new Set<string>();
  private readonly robots = new Map<RobotId, RobotBudgetStats>();
  private readonly claims: ClaimStats = { claimed: 0, duplicates: 0, fallbacks: 0, requests: 0 };
  private readonly tableRetryMs: number;
  /** Per robot, the end of the chain of reservations in this process (see `inTurn`). */
  private readonly turns = new Map<RobotId, Promise<unknown>>();
  /** Calls whose `now` is before this skip the table, which failed moments ago. */
  private tableRetryAt = -Infinity;

  constructor(options: BudgetLedgerOptions) {
    this.store = options.store;
    this.logger = options.logger;
    this.marginMs = options.marginMs ?? 2_000;
    this.concurrency = Math.max(1, options.concurrency ?? 5);
    this.maxAttempts = options.maxAttempts ?? 6;
    this.tableRetryMs = options.tableRetryMs ?? 5_000;
  }

  /** Reserves up to `wanted` send slots for a robot; never more than its policy allows in any window. */
  reserve(request: ReserveRequest): Promise<Reservation> {
    return this.inTurn(request.robot, async () => {
      const reservation = await this.withTable(
        'reserve',
        request.now,
        { robot: request.robot },
        () => this.reserveInTable(request),
        () => this.reserveLocally(request),
      );
      const stats = this.statsOf(request.robot);
      stats.granted += reservation.slots.length;
      stats.refused += Math.max(0, request.wanted - reservation.slots.length);
      return reservation;
    });
  }

  /** The platform refused the robot until `until` (45009, 130101): no slot before then, here or anywhere. */
  async block({ robot, until }: { robot: RobotId; until: number }): Promise<void> {
    for (const states of [this.seen, this.local]) {
      const state = states.get(robot) ?? EMPTY_BUDGET;
      states.set(robot, { ...state, blockedUntil: Math.max(state.blockedUntil, until) });
    }
    // Always asked, even just after a failure: a block is rare, and other containers must learn of it.
    this.statsOf(robot).requests++;
    await this.store.raiseBlock(robot, until, expiresAtFor(until)).catch((error: unknown) => {
      this.statsOf(robot).fallbacks++;
      this.warnFallback('block', error, { robot });
    });
  }

  /**
   * True for exactly one caller per `key` while its item lives (`ttlSeconds` after `now`): `repeat.every` notifies
   * once per (event, receiver, window) however many invocations see the event, and however often it is redelivered.
   * When the table cannot answer, once per process.
   */
  async claimOnce({
    key,
    ttlSeconds,
    now,
  }: {
    key: string;
    ttlSeconds: number;
    now: number;
  }): Promise<boolean> {
    const claimed = await this.withTable(
      'claim',
      now,
      {},
      () => {
        this.claims.requests++;
        return this.store.claim(key, Math.ceil(now / 1000) + ttlSeconds);
      },
      () => {
        this.claims.fallbacks++;
        const first = !this.localClaims.has(key);
        this.localClaims.add(key);
        return first;
      },
    );
    if (claimed) this.claims.claimed++;
    else this.claims.duplicates++;
    return claimed;
  }

  /** Until when this container knows the robot to be blocked (epoch ms; 0 when it knows of no block). */
  blockedUntil(robot: RobotId): number {
    return Math.max(this.seen.get(robot)?.blockedUntil ?? 0, this.local.get(robot)?.blockedUntil ?? 0);
  }

  /** Counters since this ledger was created. */
  stats(): BudgetStats {
    return {
      robots: Object.fromEntries([...this.robots].map(([robot, stats]) => [robot, { ...stats }])),
      claims: { ...this.claims },
    };
  }

  private async reserveInTable(request: ReserveRequest): Promise<Reservation> {
    const { robot, policy } = request;
    const stats = this.statsOf(robot);
    let state = this.seen.get(robot) ?? EMPTY_BUDGET;
    for (let attempt = 1; ; attempt++) {
      const plan = planSlots(state, policy, { ...request, marginMs: this.marginMs });
      if (plan.slots.length === 0) return { slots: [], nextFreeAt: plan.nextFreeAt, source: 'table' };
      if (attempt > this.maxAttempts) {
        this.logger.warn('budget: other containers kept winning the robot, no slot this time', {
          robot,
          attempts: this.maxAttempts,
        });
        return { slots: [], nextFreeAt: plan.slots[0]!, source: 'table' };
      }
      const outcome = await this.store.append(robot, appendSlots(state, policy, plan.slots).change);
      stats.requests += outcome.requests;
      state = outcome.state;
      this.seen.set(robot, state);
      if (outcome.applied) return { ...plan, source: 'table' };
      stats.conflicts++;
    }
  }

  private reserveLocally(request: ReserveRequest): Reservation {
    const { robot } = request;
    const policy = localShare(request.policy, this.concurrency);
    const state = this.local.get(robot) ?? EMPTY_BUDGET;
    const plan = planSlots(state, policy, { ...request, marginMs: this.marginMs });
    this.local.set(robot, appendSlots(state, policy, plan.slots).state);
    this.statsOf(robot).fallbacks++;
    return { ...plan, source: 'local' };
  }

  /**
   * Runs one robot's reservations in this process one after another: they would only race each other for the
   * same item, each losing a write to its neighbour. Other robots' reservations go on meanwhile.
   */
  private inTurn<T>(robot: RobotId, task: () => Promise<T>): Promise<T> {
    const result = (this.turns.get(robot) ?? Promise.resolve()).then(task);
    const turn = result.catch(() => undefined);
    this.turns.set(robot, turn);
    void turn.then(() => {
      if (this.turns.get(robot) === turn) this.turns.delete(robot);
    });
    return result;
  }

  /** `inTable`, unless the table failed moments ago or fails now: then `instead`, and the failure is logged. */
  private async withTable<T>(
    operation: string,
    now: number,
    fields: Record<string, unknown>,
    inTable: () => Promise<T>,
    instead: () => T,
  ): Promise<T> {
    if (now < this.tableRetryAt) return instead();
    try {
      return await inTable();
    } catch (error) {
      this.tableRetryAt = Math.max(this.tableRetryAt, now + this.tableRetryMs);
      this.warnFallback(operation, error, fields);
      return instead();
    }
  }

  private warnFallback(operation: string, error: unknown, fields: Record<string, unknown>): void {
    const reason = errorReason(error);
    this.logger.warn(`budget: the state table did not answer a ${operation}; using this process's share`, {
      ...fields,
      reason,
    });
  }

  private statsOf(robot: RobotId): RobotBudgetStats {
    let stats = this.robots.get(robot);
    if (!stats) {
      stats = { granted: 0, refused: 0, fallbacks: 0, requests: 0, conflicts: 0 };
      this.robots.set(robot, stats);
    }
    return stats;
  }
}
