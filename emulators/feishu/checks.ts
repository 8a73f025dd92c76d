import { createHmac, timingSafeEqual } from 'node:crypto';

/** A refusal: Feishu's code and msg. */
export interface FeishuRefusal {
  code: number;
  msg: string;
}

const refuse = (code: number, msg: string): FeishuRefusal => ({ code, msg });

const SIGN_REFUSAL = refuse(19021, 'sign match fail or timestamp is not within one hour from current time');

/**
 * Checks `timestamp` (seconds) and `sign` in the body the way Feishu does: the timestamp within `toleranceMs` of
 * Feishu's clock, and the sign equal to base64 HMAC-SHA256(key = timestamp + "\n" + secret, message = "").
 * Written from the published recipe, not imported from the client: a wrong client must fail against it.
 */
export function checkFeishuSignature(
  body: Record<string, unknown>,
  secret: string,
  now: number,
  toleranceMs: number,
): FeishuRefusal | undefined {
  const timestamp = String(body.timestamp ?? '');
  if (!/^\d{10}$/.test(timestamp) || Math.abs(now - Number(timestamp) * 1000) > toleranceMs)
    return SIGN_REFUSAL;
  const expected = createHmac('sha256', `${timestamp}\n${secret}`).update('').digest();
  const given = Buffer.from(typeof body.sign === 'string' ? body.sign : '', 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected) ? undefined : SIGN_REFUSAL;
}

/** A body Feishu would accept: its msg_type, the text keyword checks read, and the ids it mentions. */
export interface FeishuMessage {
  msgType: 'text' | 'post' | 'interactive';
  /** Every text in the message, joined: what keyword checks read. */
  text: string;
  mentioned: string[];
}

const TEXT_AT = /<at user_id="([^"]*)">/g;
const CARD_AT = /<at id=([^>\s]*)>/g;

/** Checks the body's shape (19002 for a missing or unknown msg_type or content) and reads what it says. */
export function checkFeishuBody(body: Record<string, unknown>): FeishuMessage | FeishuRefusal {
  const content = body.content as Record<string, unknown> | undefined;
  switch (body.msg_type) {
    case 'text': {
      if (typeof content?.text !== 'string') return refuse(19002, 'params error, content.text need');
      return { msgType: 'text', text: content.text, mentioned: ids(content.text, TEXT_AT) };
    }
    case 'post': {
      const post = (content?.post as Record<string, { title?: unknown; content?: unknown }> | undefined)
        ?.zh_cn;
      if (!post || !Array.isArray(post.content)) return refuse(19002, 'params error, content.post need');
      const elements = (post.content as unknown[]).flatMap((row) => (Array.isArray(row) ? row : []));
      const texts = elements.flatMap((e) =>
        e?.tag === 'text' && typeof e.text === 'string' ? [e.text] : [],
      );
      const mentioned = elements.flatMap((e) =>
        e?.tag === 'at' && typeof e.user_id === 'string' ? [e.user_id] : [],
      );
      return { msgType: 'post', text: [String(post.title ?? ''), ...texts].join('\n'), mentioned };
    }
    case 'interactive': {
      if (typeof body.card !== 'object' || body.card === null)
        return refuse(19002, 'params error, card need');
      const text = JSON.stringify(body.card);
      return { msgType: 'interactive', text, mentioned: ids(text, CARD_AT) };
    }
    default:
      return refuse(19002, 'params error, msg_type need');
  }
}

function ids(text: string, pattern: RegExp): string[] {
  return [...text.matchAll(pattern)].map((m) => m[1]!);
}
