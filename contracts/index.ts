/**
 * The contracts shared by the forwarder and the function: the queue envelope (Contract 1), the normalized event
 * (Contract 2) and the reader for the event inputs users have at hand. Nothing here depends on either side.
 */
export * from './kube-event.ts';
export * from './envelope.ts';
export * from './normalized-event.ts';
export * from './event-input.ts';
