// render/index.ts imports the channels to render with them, so their escapers reach past it to the escape module.
// eslint-disable-next-line no-restricted-imports
import { escapeMarkdown, escapeText } from '../../render/escape.ts';
import type { FeishuMsgtype } from './bodies.ts';

/**
 * Escapes untrusted event text for Feishu `text` content and card `lark_md`. Both parse `<at user_id="all">` (and
 * `<at id=all>`) as mentions, and render links and emphasis, so WeCom's markdown escaping applies: `<`, `[`, `*`,
 * `_`, `~` and line-start markers become look-alikes; controls and bidi overrides go.
 */
export function escapeFeishuMarkdown(text: string): string {
  return escapeMarkdown(text);
}

/**
 * Escapes untrusted event text for `post` text elements, which Feishu shows as typed: only `<` and `>` become
 * look-alikes, in case a client ever reads `<at …>` there, and controls and bidi overrides go.
 */
export function escapeFeishuPlain(text: string): string {
  return escapeText(text);
}

/** The escaper for values interpolated into each msgtype's content. */
export const FEISHU_ESCAPERS: Readonly<Record<FeishuMsgtype, (text: string) => string>> = Object.freeze({
  text: escapeFeishuMarkdown,
  post: escapeFeishuPlain,
  interactive: escapeFeishuMarkdown,
});
