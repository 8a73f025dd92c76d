/** Where the forwarder resumes after a restart: the settled stream position, kept in a ConfigMap. */
export { ConfigMapCheckpointStore } from './store.ts';
export type { Checkpoint } from './store.ts';
export { Watermark } from './watermark.ts';
export type { Position, Ticket } from './watermark.ts';
