/**
 * The contracts shared by the forwarder and the function: the queue envelope (Contract 1) and the normalized
 * event (Contract 2). Nothing here depends on either side.
 */
export * from './kube-event.ts';
export * from './envelope.ts';
export * from './normalized-event.ts';
