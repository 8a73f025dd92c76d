/** What WeCom's robot accepts, as docs/wecom.md describes it (Message types, Content limits, Rate limit). Shared by validation and delivery. */

/** The content msgtypes a receiver may use. */
export const MSGTYPES = ['text', 'markdown', 'markdown_v2'] as const;
export type Msgtype = (typeof MSGTYPES)[number];

/** WeCom's documented content limits in UTF-8 bytes (docs/wecom.md, Content limits). */
export const CONTENT_LIMITS: Record<Msgtype, number> = { text: 2048, markdown: 4096, markdown_v2: 4096 };

/** WeCom's documented per-robot limit (docs/wecom.md, Rate limit). */
export const ROBOT_MESSAGES_PER_MINUTE = 20;
