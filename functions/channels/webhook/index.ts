/**
 * Generic webhooks (kube-eventer's `webhook` sink): a method, headers, and a full-body JSON template whose values are
 * JSON-escaped by code; success is any 2xx. The JSON encoding is the whole of the escaping: the receiving system's
 * markup, if any, is unknown.
 */
export { WEBHOOK_LIMITS } from './limits.ts';
export { compileWebhookBody, WebhookTemplateError, type WebhookBodyTemplate } from './template.ts';
export {
  WEBHOOK_METHODS,
  buildWebhookRequest,
  checkWebhookHeaders,
  type WebhookMethod,
  type WebhookSpec,
  type WebhookRequest,
} from './request.ts';
export { WebhookClient, type WebhookSendOptions } from './client.ts';
