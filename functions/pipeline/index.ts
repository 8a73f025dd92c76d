/**
 * The function's pipeline, each stage one job in one file, listed once in order in `pipeline.ts`:
 * decode → collapse → judge → claim → group → render → budget → deliver → report.
 */
export { planBatch, processBatch } from './pipeline.ts';
export type { BatchContext, PipelineDeps } from './pipeline.ts';
export type { MessageSender } from './deliver-stage.ts';
export { inMemoryClaims, withWonClaims } from './claim-stage.ts';
export type { RepeatClaims } from './claim-stage.ts';
export { groupValues } from './group-stage.ts';
export type * from './types.ts';
export type { TemplateFailure } from './template-failures.ts';
export type { JudgedEvent } from './judge-stage.ts';
