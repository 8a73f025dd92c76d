/** What WeCom's robot accepts, as docs/wecom.md describes it (Message types, Content limits, Rate limit). Shared by validation and delivery. */

/** The content msgtypes a receiver may use. */
export const MSGTYPES = ['text', 'markdown', 'markdown_v2'] as const;
export type Msgtype = (typeof MSGTYPES)[number];

/** WeCom's documented content limits in UTF-8 bytes (docs/wecom.md, Content limits). */
export const CONTENT_LIMITS: Record<Msgtype, number> = { text: 2048, markdown: 4096, markdown_v2: 4096 };

/** WeCom's documented per-robot limit (docs/wecom.md, Rate limit). */
export const ROBOT_MESSAGES_PER_MINUTE = 20;

/**
 * WeCom user ids: 1–64 letters, digits and `_-@.` (research/wecom.md §5). Anything else (a namespace owner's
 * annotation is editable by whoever can edit the namespace) could smuggle markup into `<@…>`.
 */
const USER_ID = /^[A-Za-z0-9_.@-]{1,64}$/;

/** `all`, `@all`, `<@all>` in any case: WeCom pages the whole group for them, so they are never a user id. */
const EVERYONE = /^(?:all|@all|<@all>)$/i;

/** Whether `id` is a WeCom user id that mentions one person (never everyone). */
export function isWecomUserId(id: string): boolean {
  return USER_ID.test(id) && !EVERYONE.test(id);
}

/** Whether `id` is one of the spellings of @all. */
export function mentionsEveryone(id: string): boolean {
  return EVERYONE.test(id);
}
