/**
 * The shared per-robot send budget ("ledger"): one DynamoDB item per robot, reserved with one conditional write
 * per robot per batch, and a per-process fallback when the table cannot answer. See docs/deploy.md §8.
 */
export { BudgetLedger, type BudgetLedgerOptions, type ReserveRequest } from './ledger.ts';
export { DynamoBudgetStore, createBudgetClient, type BudgetClientOptions } from './dynamodb-store.ts';
export { MemoryBudgetStore } from './memory-store.ts';
export { ROBOT_POLICIES } from './policies.ts';
export { robotIdOf } from './robot-id.ts';
export { STATE_TABLE } from './table-schema.ts';
export type {
  AppendOutcome,
  BudgetLogger,
  BudgetState,
  BudgetStats,
  BudgetStore,
  BudgetWindow,
  ClaimStats,
  Reservation,
  RobotBudgetStats,
  RobotId,
  RobotPolicy,
  SlotAppend,
} from './types.ts';
