/** Retry pacing shared by the watch, the SQS sender, the checkpoint reader and the namespace cache. */
export { Backoff, backoffCeiling } from './backoff.ts';
export type { BackoffOptions } from './backoff.ts';
