import type { ChannelLimits } from '../delivery/index.ts';

/**
 * A Feishu/Lark custom robot's limits (docs/channels.md): 100 messages a minute *and* 5 a second, and a request
 * body of at most 20 KB, read here as 20,000 bytes, the stricter of the two readings of "K".
 * https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot
 * Feishu documents no block after going over; a minute (the longer window) is when both windows have cleared.
 */
export const FEISHU_LIMITS: ChannelLimits = Object.freeze({
  maxBytes: 20_000,
  measures: 'request body',
  rates: Object.freeze([
    Object.freeze({ messages: 5, windowMs: 1000 }),
    Object.freeze({ messages: 100, windowMs: 60_000 }),
  ]),
  blockMs: 60_000,
});
