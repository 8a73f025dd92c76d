import type { ChannelLimits } from '../delivery/index.ts';

/**
 * A DingTalk custom robot's limits (docs/channels.md): 20 messages a minute, and going over blocks the robot for
 * 10 minutes (errcode 130101), so the budget must never go over; a message over 20,000 bytes is refused (460101).
 * https://open.dingtalk.com/document/orgapp/custom-robot-access
 */
export const DINGTALK_LIMITS: ChannelLimits = Object.freeze({
  maxBytes: 20_000,
  measures: 'request body',
  rates: Object.freeze([Object.freeze({ messages: 20, windowMs: 60_000 })]),
  blockMs: 10 * 60_000,
});
