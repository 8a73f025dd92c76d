import { tooLongReason, REASONS } from './errmsg.ts';

/**
 * The 8 msgtypes of the robot API (docs/wecom.md, Message types). Written out here rather than imported from the renderer:
 * the emulator stands for WeCom, so a wrong list in the code under test must fail against it, not be copied into it.
 */
export const ROBOT_MSGTYPES = [
  'text',
  'markdown',
  'markdown_v2',
  'image',
  'news',
  'file',
  'voice',
  'template_card',
] as const;

/** A request body that passed the message checks. */
export interface AcceptedBody {
  msgtype: string;
  /** The msgtype's own object, e.g. `{ content, mentioned_list }` for text (news titles truncated as WeCom does). */
  payload: Record<string, unknown>;
  /** The whole decoded body. */
  body: Record<string, unknown>;
}

/** A rejection: errcode and the reason part of errmsg. */
export interface Rejection {
  errcode: number;
  reason: string;
}

/** Content limits the emulator enforces, in UTF-8 bytes. */
export interface ContentLimits {
  text: number;
  markdown: number;
}

/**
 * Checks a request body the way the robot API does, in the order of docs/wecom.md, The emulator (the real precedence is
 * unknown): not JSON or bad msgtype → 40008, empty content → 44004, over-long content → 40058. Content-Type is
 * ignored and unknown fields (including `mentioned_*` in markdown) pass, as on the real server.
 */
export function checkMessage(raw: string, limits: ContentLimits): AcceptedBody | Rejection {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return reject(40008);
  }
  if (!isObject(body) || !(ROBOT_MSGTYPES as readonly unknown[]).includes(body.msgtype)) return reject(40008);
  const msgtype = body.msgtype as string;
  const payload = body[msgtype];
  if (!isObject(payload)) return reject(msgtype === 'text' || msgtype.startsWith('markdown') ? 44004 : 40008);

  if (msgtype === 'text' || msgtype === 'markdown' || msgtype === 'markdown_v2') {
    const content = payload.content;
    if (typeof content !== 'string' || content.length === 0) return reject(44004);
    const limit = msgtype === 'text' ? limits.text : limits.markdown;
    if (Buffer.byteLength(content, 'utf8') > limit)
      return { errcode: 40058, reason: tooLongReason(msgtype, limit) };
  }
  return { msgtype, payload: msgtype === 'news' ? truncateNews(payload) : payload, body };
}

function reject(errcode: number): Rejection {
  return { errcode, reason: REASONS[errcode]! };
}

// News titles and descriptions are truncated, not rejected ("超过会自动截断").
function truncateNews(payload: Record<string, unknown>): Record<string, unknown> {
  if (!Array.isArray(payload.articles)) return payload;
  const articles = payload.articles.map((a: unknown) =>
    isObject(a)
      ? {
          ...a,
          ...(typeof a.title === 'string' ? { title: truncateBytes(a.title, 128) } : {}),
          ...(typeof a.description === 'string' ? { description: truncateBytes(a.description, 512) } : {}),
        }
      : a,
  );
  return { ...payload, articles };
}

function truncateBytes(text: string, max: number): string {
  let bytes = 0;
  let out = '';
  for (const ch of text) {
    bytes += Buffer.byteLength(ch, 'utf8');
    if (bytes > max) break;
    out += ch;
  }
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
