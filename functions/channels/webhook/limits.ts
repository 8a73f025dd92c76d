import type { ChannelLimits } from '../delivery/index.ts';

/** A generic webhook has no documented limits: no size limit, no rate, no block. The bundle may still set a budget. */
export const WEBHOOK_LIMITS: ChannelLimits = Object.freeze({
  maxBytes: Infinity,
  measures: 'request body',
  rates: Object.freeze([]),
  blockMs: 0,
});
