/**
 * The in-cluster forwarder: list/watch Events, enrich with namespace metadata, send envelope v1 to SQS in
 * batches, checkpoint what SQS acknowledged, elect a leader, expose probes and metrics.
 */
export { Forwarder } from './forwarder.ts';
export type { ForwarderOptions, ForwarderStatus, LeaderElectionSettings } from './forwarder.ts';
export { forwarderKubeApi, forwarderSettings, runForwarder } from './run.ts';
export type { RunningForwarder } from './run.ts';
/** One forwarding term without leader election or HTTP: what the in-process bench measures. */
export { Session } from './session.ts';
export type { SessionOptions } from './session.ts';
export { sleep, steadyClock, systemClock, systemTimer } from './ports.ts';
export type { Cancel, Clock, Logger, Timer } from './ports.ts';
export { ConfigError, forwarderOptions, parseForwarderConfig } from './config/index.ts';
export type { ForwarderConfig, RawForwarderOptions } from './config/index.ts';
export { httpKubeApi, loadKubeConfig } from './kube/index.ts';
export type { KubeApi } from './kube/index.ts';
export { ForwarderMetrics } from './metrics/index.ts';
export { sqsQueueClient } from './queue/index.ts';
export type { QueueClient } from './queue/index.ts';
export { HealthServer } from './http/index.ts';
