import { createHmac, timingSafeEqual } from 'node:crypto';

/** A refusal: DingTalk's errcode and errmsg. */
export interface DingtalkRefusal {
  errcode: number;
  errmsg: string;
}

const refuse = (errcode: number, errmsg: string): DingtalkRefusal => ({ errcode, errmsg });

/**
 * Checks `timestamp` and `sign` in the query the way DingTalk does: the timestamp (ms) within `toleranceMs` of
 * DingTalk's clock, and the sign equal to base64 HMAC-SHA256(key = secret, message = timestamp + "\n" + secret).
 * Written here from the published recipe, not imported from the client: a wrong client must fail against it.
 */
export function checkDingtalkSignature(
  query: URLSearchParams,
  secret: string,
  now: number,
  toleranceMs: number,
): DingtalkRefusal | undefined {
  const timestamp = query.get('timestamp') ?? '';
  const sign = query.get('sign') ?? '';
  if (!/^\d{13}$/.test(timestamp) || Math.abs(now - Number(timestamp)) > toleranceMs) {
    return refuse(310000, 'invalid timestamp');
  }
  const expected = createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest();
  const given = Buffer.from(sign, 'base64');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return refuse(310000, 'sign not match');
  return undefined;
}

/** A body DingTalk would accept: its msgtype and the text the keyword and mention checks read. */
export interface DingtalkMessage {
  msgtype: 'text' | 'markdown';
  /** `text.content`, or `markdown.title` and `markdown.text`. */
  content: string;
  body: Record<string, unknown>;
}

/** Checks the body's shape: unsupported msgtype → 400105, missing content → 40035 (the real precedence is unknown). */
export function checkDingtalkBody(body: Record<string, unknown>): DingtalkMessage | DingtalkRefusal {
  const { msgtype } = body;
  if (msgtype !== 'text' && msgtype !== 'markdown') return refuse(400105, 'unsupported msgtype');
  const payload = body[msgtype] as Record<string, unknown> | undefined;
  if (msgtype === 'text') {
    if (typeof payload?.content !== 'string' || payload.content === '')
      return refuse(40035, '缺少参数 content');
    return { msgtype, content: payload.content, body };
  }
  if (typeof payload?.title !== 'string' || typeof payload.text !== 'string' || payload.text === '') {
    return refuse(40035, '缺少参数 markdown');
  }
  return { msgtype, content: `${payload.title}\n${payload.text}`, body };
}

/**
 * Who a message really mentions: an id fires only when listed in `at` *and* written as `@<id>` in the content;
 * `isAtAll` alone mentions everyone.
 */
export function firedMentions(message: DingtalkMessage): string[] {
  const at = (message.body.at ?? {}) as { atMobiles?: unknown; atUserIds?: unknown; isAtAll?: unknown };
  const listed = [at.atMobiles, at.atUserIds].flatMap((ids) => (Array.isArray(ids) ? ids : []));
  const fired = listed.filter(
    (id): id is string => typeof id === 'string' && message.content.includes(`@${id}`),
  );
  return at.isAtAll === true ? [...fired, 'all'] : fired;
}
