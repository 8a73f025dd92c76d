import { neutralizeAt } from '../content/index.ts';
// render/index.ts imports the channels to render with them, so their escapers reach past it to the escape module.
// eslint-disable-next-line no-restricted-imports
import { escapeMarkdown, sanitize } from '../../render/escape.ts';
import type { DingtalkMsgtype } from './bodies.ts';

/**
 * Escapes untrusted event text for a DingTalk `text` body. Text is shown as typed, but `@<mobile>` or `@<userId>`
 * next to an id in the body's `at` lists reads as a mention, so `@` becomes a look-alike; controls and bidi
 * overrides go, as for WeCom.
 */
export function escapeDingtalkText(text: string): string {
  return neutralizeAt(sanitize(text));
}

/**
 * Escapes untrusted event text for a DingTalk `markdown` body, which renders headings, links, images, emphasis,
 * quotes, lists and `<font>`: WeCom's markdown escaping (look-alike characters, line-start rules) covers all of
 * them, and `@` becomes a look-alike as in `text`.
 */
export function escapeDingtalkMarkdown(text: string): string {
  return neutralizeAt(escapeMarkdown(text));
}

/** The escaper for values interpolated into each msgtype's content. */
export const DINGTALK_ESCAPERS: Readonly<Record<DingtalkMsgtype, (text: string) => string>> = Object.freeze({
  text: escapeDingtalkText,
  markdown: escapeDingtalkMarkdown,
});
