import { cutIndex, utf8Bytes } from './bytes.ts';

/** The visible marker of a cut: `…(truncated, N bytes)` with N the number of UTF-8 bytes removed. */
export function truncationMarker(removedBytes: number): string {
  return `…(truncated, ${removedBytes} bytes)`;
}

/**
 * Cuts `text` so that the kept part plus its marker fits in `maxBytes`; returns undefined when even the marker does
 * not fit. `preferLine` moves the cut back to a line break when that keeps most of the budget, so a cut rarely lands
 * in the middle of an operator's markup.
 */
export function truncateToBytes(text: string, maxBytes: number, preferLine = false): string | undefined {
  const total = utf8Bytes(text);
  if (total <= maxBytes) return text;
  // Sized for the largest number it could carry, so the real marker (fewer or equal digits) always fits.
  const budget = maxBytes - utf8Bytes(truncationMarker(total));
  if (budget < 0) return undefined;
  let end = cutIndex(text, budget);
  if (preferLine) {
    const newline = text.lastIndexOf('\n', end - 1);
    if (newline > 0 && utf8Bytes(text.slice(0, newline)) >= budget * 0.75) end = newline + 1;
  }
  const kept = text.slice(0, end);
  return kept + truncationMarker(total - utf8Bytes(kept));
}

/** The last resort: cut the tail, keeping the header lines, so nothing ever leaves over its limit. */
export function fitContent(content: string, limit: number): string {
  return truncateToBytes(content, limit, true) ?? '';
}
