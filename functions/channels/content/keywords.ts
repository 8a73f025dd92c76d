/**
 * DingTalk and Feishu robots can be set to accept only messages containing one of a few keywords (DingTalk answers
 * 310000, Feishu 19024 otherwise). Rendered text may lack them, so the keyword goes on a line of its own at the end:
 * the operator chose it, so it is trusted and needs no escaping.
 */
export function withKeyword(text: string, keywords: readonly string[] | undefined): string {
  if (!keywords || keywords.length === 0) return text;
  if (keywords.some((keyword) => keyword.length > 0 && text.includes(keyword))) return text;
  const keyword = keywords.find((k) => k.length > 0);
  return keyword === undefined ? text : `${text}\n\n${keyword}`;
}
