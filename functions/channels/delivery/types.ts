/** The chat channels besides WeCom group robots (which live in their own module). */
export type ChannelName = 'dingtalk' | 'feishu' | 'wecom-app' | 'webhook';

/** A count of messages allowed per window, per robot (or per application). */
export interface RateWindow {
  messages: number;
  windowMs: number;
}

/** What a channel accepts: the numbers the shared robot budget and the fitter need. */
export interface ChannelLimits {
  /** Most UTF-8 bytes of what `measures` names; `Infinity` when the channel sets no limit. */
  maxBytes: number;
  /** What `maxBytes` counts: the whole JSON request body, or the message content inside it. */
  measures: 'request body' | 'content';
  /** Every window the platform counts in; all must allow a message. Empty when the channel sets none. */
  rates: readonly RateWindow[];
  /** How long the platform refuses everything after a robot went over a rate (0 when it does not block). */
  blockMs: number;
}

/** Milliseconds since the epoch; injected so tests control time. */
export type Clock = () => number;

/** Options of one `send`. */
export interface ChannelSendOptions {
  /** Epoch ms after which no request is started (e.g. the Lambda's remaining time minus a margin). */
  deadline: number;
}

/** A message the channel accepted. */
export interface ChannelSendResult {
  /** HTTP status of the accepting answer. */
  status: number;
  /** The platform's result code (0), or the HTTP status for plain webhooks. */
  code: number;
  /** The platform's message (`ok`, `success`…), or `HTTP <status>`. */
  message: string;
}
