/**
 * Delivery shared by the chat channels: the injected HTTP poster, one request judged against a channel's errcode
 * table into a typed error with `retryable` and `retryAfterMs`, and URL redaction. Retrying and budgeting are the
 * caller's (the shared robot budget and SQS redelivery).
 */
export type {
  ChannelName,
  RateWindow,
  ChannelLimits,
  Clock,
  ChannelSendOptions,
  ChannelSendResult,
} from './types.ts';
export { axiosPoster, type HttpPoster, type HttpRequest, type HttpOutcome } from './poster.ts';
export { explainCode, type ErrcodeInfo, type ErrcodeTable } from './errcodes.ts';
export {
  ChannelError,
  ChannelRejectedError,
  ChannelRateLimitedError,
  ChannelTransientError,
  ChannelAnswerError,
  ChannelTimeoutError,
  ChannelDeadlineError,
} from './errors.ts';
export {
  ChannelTokenExpiredError,
  type ChannelClientOptions,
  type ChannelProtocol,
  type Delivered,
  type PlatformAnswer,
} from './deliver.ts';
export { redactUrl } from './redact.ts';
export { checkEndpoint, ChannelEndpointError, type OfficialEndpoint } from './endpoint.ts';
export { readErrcodeAnswer } from './answers.ts';
export { ChannelSender, JSON_HEADERS } from './sender.ts';
export { requestBodyBytes } from './body-bytes.ts';
export { LATE_SLOT_MS } from './late-slot.ts';
