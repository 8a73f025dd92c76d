import { createHmac } from 'node:crypto';

/**
 * Feishu's request signature: base64 of HMAC-SHA256 *keyed by* `timestamp + "\n" + secret` over an empty message,
 * with the timestamp in seconds. DingTalk's recipe (key = secret, message = that string) gives a wrong signature
 * here (19021).
 */
export function feishuSignature(secret: string, timestampSeconds: number): string {
  return createHmac('sha256', `${timestampSeconds}\n${secret}`).update('').digest('base64');
}

/**
 * The body with `timestamp` (seconds, as a string, as Feishu's examples send it) and `sign` added. Feishu accepts
 * a timestamp within an hour of its own clock, so sign right before each request.
 */
export function signFeishuBody<Body extends object>(
  body: Body,
  secret: string,
  timestampSeconds: number,
): Body & { timestamp: string; sign: string } {
  return { ...body, timestamp: String(timestampSeconds), sign: feishuSignature(secret, timestampSeconds) };
}

/**
 * Bytes the signature adds to a body (`,"timestamp":"…","sign":"…"`): the same for every body until 2286, when
 * timestamps gain a digit. Body-size budgets of signed robots subtract it.
 */
export const FEISHU_SIGNATURE_BYTES =
  Buffer.byteLength(JSON.stringify(signFeishuBody({ msg_type: 'text' }, 'secret', 1_700_000_000))) -
  Buffer.byteLength(JSON.stringify({ msg_type: 'text' }));
