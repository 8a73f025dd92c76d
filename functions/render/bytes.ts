/** UTF-8 measurement and cutting: WeCom counts content limits in UTF-8 bytes (docs/wecom.md, Content limits). */

const encoder = new TextEncoder();
let scratch = new Uint8Array(8192);

/** The UTF-8 length of a string (a lone surrogate counts as the 3 bytes of U+FFFD, as it would be sent). */
export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/**
 * The longest prefix of `text` (as a UTF-16 index) whose UTF-8 encoding fits in `maxBytes`. `encodeInto` only ever
 * writes whole code points, so the cut never splits a multi-byte character or a surrogate pair.
 */
export function cutIndex(text: string, maxBytes: number): number {
  if (maxBytes <= 0) return 0;
  if (text.length * 3 <= maxBytes) return text.length;
  if (scratch.length < maxBytes) scratch = new Uint8Array(maxBytes);
  return encoder.encodeInto(text, scratch.subarray(0, maxBytes)).read;
}
