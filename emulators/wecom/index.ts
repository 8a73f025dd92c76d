/**
 * A loopback emulator of the WeCom group-robot webhook (docs/wecom.md, The emulator) with fault injection, plus the
 * manual clock that lets client and emulator cross rate-limit windows without waiting.
 */
export {
  startWecomEmulator,
  type WecomEmulator,
  type WecomEmulatorOptions,
  type RecordedMessage,
  type RecordedRequest,
  type RouteHandler,
} from './server.ts';
export type { Fault, FaultScope } from './faults.ts';
export type { RateLimitOptions } from './rate-window.ts';
export { ROBOT_MSGTYPES } from './message-check.ts';
export { createManualClock, type ManualClock } from './clock.ts';
