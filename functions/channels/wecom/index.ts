/**
 * Delivery to WeCom group robots: the errcode-aware client (retries, deadlines, per-robot budget), webhook
 * allow-listing and redaction, resolution of `env:`/`ssm:` webhook references, and the errcode table.
 */
export { WecomClient, type WecomClientOptions } from './client.ts';
export {
  CONTENT_LIMITS,
  MSGTYPES,
  ROBOT_MESSAGES_PER_MINUTE,
  isWecomUserId,
  mentionsEveryone,
  type Msgtype,
} from './limits.ts';
export {
  WecomError,
  WecomRejectedError,
  WecomRobotUnavailableError,
  WecomHttpError,
  WecomResponseTimeoutError,
  WecomRetriesExhaustedError,
  WecomDeadlineError,
  WecomWebhookError,
  WebhookRefError,
  SsmWebhookError,
  type SsmFailure,
} from './errors.ts';
export {
  explainErrcode,
  knownErrcodes,
  ROBOT_UNAVAILABLE_ERRCODES,
  ERRCODE_RATE_LIMITED,
  type ErrcodeInfo,
} from './errcodes.ts';
export {
  WECOM_WEBHOOK_URL,
  ALLOWED_HOSTS_ENV,
  redactWebhook,
  redactKey,
  parseAllowedHosts,
  allowedHostsFromEnv,
  checkWebhookUrl,
  type WebhookTarget,
} from './webhook-url.ts';
export { WebhookResolver, type WebhookResolverOptions, type SsmSender } from './webhook-ref.ts';
export { RobotRateLimiter } from './rate-limiter.ts';
export { backoffDelay, type BackoffOptions } from './retry-policy.ts';
export type { SendGate, SendOptions, SendResult } from './types.ts';
