// render/index.ts imports the channels to render with them, so their escapers reach past it to the escape module.
// eslint-disable-next-line no-restricted-imports
import { escapeMarkdown, escapeText } from '../../render/escape.ts';
import type { WecomAppMsgtype } from './bodies.ts';

/**
 * The escaper for values interpolated into each msgtype's content. Application `text` renders `<a href>` links, so
 * angle brackets become look-alikes (WeCom's `escapeText`); application `markdown` is the robot's markdown dialect,
 * so WeCom's markdown escaping applies unchanged.
 */
export const WECOM_APP_ESCAPERS: Readonly<Record<WecomAppMsgtype, (text: string) => string>> = Object.freeze({
  text: escapeText,
  markdown: escapeMarkdown,
});
