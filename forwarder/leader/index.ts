/** Leader election on a Lease, so only one of the replicas forwards. */
export { LeaseElector } from './lease-elector.ts';
export type { LeaseElectorOptions } from './lease-elector.ts';
