import type { ChannelLimits } from '../delivery/index.ts';

/**
 * A WeCom application's message limits (docs/channels.md): `text` and `markdown` content of at most 2048 bytes
 * (longer text is cut by WeCom, not refused), and at most 30 messages a minute from one application to one member,
 * beyond which messages are dropped. With `@all` or departments every message reaches every member, so the budget
 * counts per application. 45009 blocks are as long as the window they enforce: a minute.
 * https://developer.work.weixin.qq.com/document/path/90236
 */
export const WECOM_APP_LIMITS: ChannelLimits = Object.freeze({
  maxBytes: 2048,
  measures: 'content',
  rates: Object.freeze([Object.freeze({ messages: 30, windowMs: 60_000 })]),
  blockMs: 60_000,
});
