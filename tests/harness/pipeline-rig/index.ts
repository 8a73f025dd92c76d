/**
 * The whole kube-wecom pipeline on loopback for fault drills and soak runs: fake API server, forwarder(s),
 * fauxqs behind a switchable relay and a throttling proxy, the local event source mapping, the function and the
 * WeCom emulator, with a realistic event mix and a ledger that accounts for every event offered.
 */
export { Pipeline, faultScale, report } from './rig.ts';
export type { CrashPlan, ForwarderProcess, PipelineOptions, Replica, ScenarioResult } from './rig.ts';
export { account } from './ledger.ts';
export type { Tally } from './ledger.ts';
export { EventMix, NAMESPACES } from './traffic.ts';
export { seededRandom } from '../../../bench/seeded-random.ts';
export type { Occurrence } from './traffic.ts';
export { FAULT_BUNDLE, ROBOTS } from './bundle.ts';
export { SwitchableRelay } from './relay.ts';
export { ThrottlingProxy } from './throttling-proxy.ts';
export { createWarpClock } from './warp-clock.ts';
export type { WarpClock } from './warp-clock.ts';
