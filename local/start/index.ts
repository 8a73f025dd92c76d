/**
 * `npm start`: the whole pipeline on one machine — fauxqs, the forwarder watching a cluster or the fake API server,
 * the local event source mapping feeding the real handler, and the WeCom emulator with the live preview page.
 */
export { startLocalPipeline } from './pipeline.ts';
export type { LocalPipeline, LocalPipelineOptions, Stage } from './pipeline.ts';
export { chooseEventSource, ClusterUnreachableError } from './source.ts';
export type { EventSource, SourceChoice, SourceOptions } from './source.ts';
export { replayEvents, replayIncident } from './replay.ts';
export type { ReplayOptions } from './replay.ts';
export { routeToEmulator } from './robots.ts';
export type { EmulatedRobots } from './robots.ts';
export { runStart } from './run.ts';
export type { StartOptions } from './run.ts';
export { startLocalStateTable } from './state-table.ts';
export type { LocalStateTable } from './state-table.ts';
