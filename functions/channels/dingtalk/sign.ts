import { createHmac } from 'node:crypto';

/**
 * DingTalk's request signature: base64 of HMAC-SHA256 keyed by the secret over `timestamp + "\n" + secret`, with
 * the timestamp in milliseconds. (Feishu swaps key and message; the two recipes are not interchangeable.)
 */
export function dingtalkSignature(secret: string, timestampMs: number): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`, 'utf8').digest('base64');
}

/**
 * The robot URL with `timestamp` and `sign` added to the query (URL-encoded, so `+`, `/` and `=` of the base64
 * survive). DingTalk accepts a timestamp within an hour of its own clock, so sign right before each request.
 */
export function signDingtalkUrl(url: string, secret: string, timestampMs: number): string {
  const signed = new URL(url);
  signed.searchParams.set('timestamp', String(timestampMs));
  signed.searchParams.set('sign', dingtalkSignature(secret, timestampMs));
  return signed.toString();
}
