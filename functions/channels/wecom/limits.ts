/** What WeCom's robot accepts, as research/wecom.md §3, §4 and §7 found it. Shared by validation and delivery. */

/** The content msgtypes a receiver may use. */
export const MSGTYPES = ['text', 'markdown', 'markdown_v2'] as const;
export type Msgtype = (typeof MSGTYPES)[number];

/** WeCom's documented content limits in UTF-8 bytes (research/wecom.md §4). */
export const CONTENT_LIMITS: Record<Msgtype, number> = { text: 2048, markdown: 4096, markdown_v2: 4096 };

/** WeCom's documented per-robot limit (research/wecom.md §7). */
export const ROBOT_MESSAGES_PER_MINUTE = 20;
