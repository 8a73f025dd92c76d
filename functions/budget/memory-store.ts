import { EMPTY_BUDGET } from './slots.ts';
import type { AppendOutcome, BudgetState, BudgetStore, RobotId, SlotAppend } from './types.ts';

/**
 * Budgets and claims in this process, with the table's compare-and-set semantics: for `preview`, `report` and unit
 * tests, where there is one process and no table. TTL is not modelled: a memory store lives as long as one command.
 */
export class MemoryBudgetStore implements BudgetStore {
  private readonly budgets = new Map<RobotId, BudgetState>();
  private readonly claims = new Set<string>();

  async append(robot: RobotId, change: SlotAppend): Promise<AppendOutcome> {
    const current = this.budgets.get(robot) ?? EMPTY_BUDGET;
    if (current.n !== change.expected.n || current.blockedUntil > change.expected.blockedUntil) {
      return { applied: false, state: current, requests: 1 };
    }
    const ring = [...current.ring];
    for (const { index, time } of change.writes) ring[index] = time;
    const state = { n: current.n + change.writes.length, ring, blockedUntil: current.blockedUntil };
    this.budgets.set(robot, state);
    return { applied: true, state, requests: 1 };
  }

  async raiseBlock(robot: RobotId, until: number): Promise<void> {
    const current = this.budgets.get(robot) ?? EMPTY_BUDGET;
    if (current.blockedUntil < until) this.budgets.set(robot, { ...current, blockedUntil: until });
  }

  async claim(key: string): Promise<boolean> {
    if (this.claims.has(key)) return false;
    this.claims.add(key);
    return true;
  }
}
