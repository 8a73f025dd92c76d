/**
 * Replaces every `@` by the full-width `＠`, which no chat client reads as a mention. DingTalk fires a mention only
 * for ids listed in the body's `at` object, but event text could still spell `@13800001111` next to a listed one and
 * look like a mention; a look-alike keeps the text readable and inert.
 */
export function neutralizeAt(text: string): string {
  return text.includes('@') ? text.replaceAll('@', '＠') : text;
}
