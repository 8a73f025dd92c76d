/** Prometheus metrics of the forwarder. */
export { ForwarderMetrics } from './metrics.ts';
