/** Retry pacing shared by the watch, the SQS sender and the lease elector. */
export { Backoff, sleep } from './backoff.ts';
export type { BackoffOptions } from './backoff.ts';
