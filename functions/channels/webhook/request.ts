import type { WebhookBodyTemplate } from './template.ts';
import { WebhookTemplateError } from './template.ts';

/** The methods a webhook receiver may use: each carries a body. */
export const WEBHOOK_METHODS = ['POST', 'PUT', 'PATCH'] as const;
export type WebhookMethod = (typeof WEBHOOK_METHODS)[number];

/** A webhook receiver as loaded: method, headers (references already resolved by the caller) and body template. */
export interface WebhookSpec {
  method: WebhookMethod;
  headers: Readonly<Record<string, string>>;
  body: WebhookBodyTemplate;
}

/** One request, ready for `WebhookClient.send`. */
export interface WebhookRequest {
  method: WebhookMethod;
  headers: Readonly<Record<string, string>>;
  body: string;
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Checks the headers once at load: names must be HTTP tokens and values must hold no CR, LF or NUL, so a resolved
 * secret cannot inject another header. `content-type` defaults to JSON.
 */
export function checkWebhookHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const checked: Record<string, string> = { 'content-type': 'application/json' };
  for (const [name, value] of Object.entries(headers)) {
    if (!HEADER_NAME.test(name))
      throw new WebhookTemplateError(`invalid header name ${JSON.stringify(name)}`);
    if (/[\r\n\0]/.test(value))
      throw new WebhookTemplateError(`the value of header ${name} holds a line break`);
    checked[name.toLowerCase()] = value;
  }
  return checked;
}

/** The request for one message: the spec's method and headers, and its body rendered with `values`. */
export function buildWebhookRequest(
  spec: WebhookSpec,
  values: Readonly<Record<string, string>>,
): WebhookRequest {
  return { method: spec.method, headers: checkWebhookHeaders(spec.headers), body: spec.body.render(values) };
}
