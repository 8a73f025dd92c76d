/**
 * Deferral: where a receiver's events wait when its robots have no free slot, without loss, without burning the
 * queue's receive count, and without repeating what other receivers already got. See docs/deploy.md §8.
 */
export { DynamoPendingStore } from './dynamodb-pending-store.ts';
export { MemoryPendingStore } from './memory-pending-store.ts';
export type { CopyQueue, ParkedEvents, Parking, PendingStore, QueuedCopy } from './types.ts';
export { mergePiles } from './merge.ts';
export { decodePileMessage, isPileMessageBody, pileMessageBody } from './pile-message.ts';
export type { PileMessage } from './pile-message.ts';
