/** The forwarder's probe and metrics endpoints. */
export { HealthServer } from './server.ts';
export type { HealthServerOptions } from './server.ts';
