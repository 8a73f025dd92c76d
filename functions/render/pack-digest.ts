import type { Fitted } from './assemble.ts';
import { utf8Bytes } from './bytes.ts';
import { ONE_PART } from './data.ts';
import { fitContent } from './fit.ts';
import type { Draft } from './producers.ts';
import type { DigestPart } from './types.ts';

/** Packing a digest's events into as few messages as fit, split at event boundaries and labelled `(i/n)`. */

// Events a digest's first render holds: about what one message of the built-in markdown digest takes.
export const FIRST_PROBE = 16;

/**
 * Fits a digest: whole if it fits, else split at event boundaries into the fewest `(i/n)` parts a greedy packing
 * finds, each part as large as fits. Work follows what is shown, not the digest's length: the first render holds
 * `firstSize` events and grows only while it fits, and each part is found by a few renders of about its own size
 * (see `pack`), never by re-rendering every remaining event.
 *
 * A digest that needs more than `maxParts` parts is cut: only its first `cutParts` parts are made, and the
 * remaining events are left out of every part's `covers`, rather than rendering parts a robot's budget would throw
 * away.
 */
export function fitDigest(
  n: number,
  first: Draft,
  firstSize: number,
  render: (start: number, end: number, part: DigestPart) => Draft,
  limit: number,
  maxParts: number,
  cutParts: number,
): { parts: Fitted[]; cut: boolean } {
  const all = Array.from({ length: n }, (_, i) => i);
  // Grows the first events until they are the whole digest or no longer fit one message: a storm's digest is
  // known not to fit after a few of its events, without rendering all of them.
  let draft = first;
  let size = firstSize;
  let bytes = draft.content === undefined ? 0 : utf8Bytes(draft.content);
  while (draft.content !== undefined && size < n && bytes <= limit) {
    size = Math.min(n, Math.max(size + 1, Math.ceil((size * limit * 1.25) / bytes)));
    draft = render(0, size, ONE_PART);
    bytes = draft.content === undefined ? 0 : utf8Bytes(draft.content);
  }
  if (draft.content === undefined) {
    const whole = size === n ? draft : render(0, n, ONE_PART);
    return { parts: [{ draft: whole, content: undefined, covers: all }], cut: false };
  }
  if ((size === n && bytes <= limit) || n <= 1) {
    return { parts: [{ draft, content: fitContent(draft.content, limit), covers: all }], cut: false };
  }
  // The first part holds fewer than the `size` events that overflowed one message (a label only adds bytes); the
  // first guess assumes events of even size.
  const firstPart = {
    guess: Math.floor((size * limit) / bytes),
    max: Math.max(1, size - 1),
    perEvent: bytes / size,
  };
  // Measured with the widest label any part could carry, so the real labels only make parts smaller. (As wide
  // as `n` parts whatever the limit, so a digest that fits its limit is the same as without one.)
  const widest = partOf(n, n);
  // The render of events `start` to `end` as `part`, and its size as sent (infinite without content to fit).
  const measure = (start: number, end: number, part: DigestPart): Measured => {
    const draft = render(start, end, part);
    const content = draft.content;
    return { draft, bytes: content === undefined ? Infinity : utf8Bytes(withLabel(content, part.label)) };
  };
  const toParts = (packed: Packed, label: (index: number) => DigestPart) =>
    packed.ranges.map(([from, to], i): Fitted => {
      const part = label(i + 1);
      const draft = packed.drafts[i] ?? render(from, to, part);
      const content =
        draft.content === undefined ? undefined : fitContent(withLabel(draft.content, part.label), limit);
      return { draft, content, covers: all.slice(from, to) };
    });

  // A storm's digest, clearly too long for the parts allowed, is packed with the labels its parts will carry
  // when cut, so each part's last fitting render is the message itself. If it turns out to fit after all, it is
  // packed again below.
  if (cutParts >= 1 && (n / size) * (bytes / limit) > maxParts) {
    const label = (index: number) => partOf(index, cutParts);
    const packed = pack(n, measure, limit, label, cutParts, firstPart);
    const end = packed.ranges.at(-1)![1];
    const rest = Math.min(n - end, 2 * (end - packed.ranges.at(-1)![0]) + 1);
    // Cut when the parts allowed beyond these cannot take the rest (a prefix of it that does not fit shows that).
    if (end < n && (maxParts === cutParts || measure(end, end + rest, widest).bytes > limit)) {
      return { parts: toParts(packed, label), cut: true };
    }
  }

  const packed = pack(n, measure, limit, () => widest, maxParts, firstPart);
  const cut = packed.ranges.at(-1)![1] < n;
  if (cut) packed.ranges.length = Math.min(packed.ranges.length, Math.max(0, cutParts));
  const count = packed.ranges.length;
  // Measured with the widest label, so these drafts are not the messages: each part is rendered with its own.
  packed.drafts = [];
  return {
    parts: toParts(packed, (index) => (count === 1 && !cut ? ONE_PART : partOf(index, count))),
    cut,
  };
}

/** Parts packed from the digest's first event: event ranges, and each range's fitting render where one was made. */
interface Packed {
  ranges: Array<[number, number]>;
  drafts: Array<Draft | undefined>;
}

/** A render and its size as sent. */
interface Measured {
  draft: Draft;
  bytes: number;
}

/**
 * Packs events greedily into at most `maxCount` parts, each as large as fits when measured with `label(i)`. A
 * part's search starts from the previous part's size and bytes per event (parts of one digest tend to be alike).
 */
function pack(
  n: number,
  measure: (start: number, end: number, part: DigestPart) => Measured,
  limit: number,
  label: (index: number) => DigestPart,
  maxCount: number,
  first: { guess: number; max: number; perEvent: number },
): Packed {
  const packed: Packed = { ranges: [], drafts: [] };
  let { guess, max, perEvent } = first;
  for (let start = 0; start < n && packed.ranges.length < maxCount;) {
    const part = label(packed.ranges.length + 1);
    let best: Measured | undefined;
    let bestSize = 0;
    const size = largestFit(Math.min(max, n - start), guess, perEvent, limit, (size) => {
      const measured = measure(start, start + size, part);
      if (measured.bytes <= limit && size > bestSize) [best, bestSize] = [measured, size];
      return measured.bytes;
    });
    packed.ranges.push([start, start + size]);
    packed.drafts.push(best && size === bestSize ? best.draft : undefined);
    if (best) perEvent = best.bytes / bestSize;
    start += size;
    guess = size;
    max = n;
  }
  return packed;
}

/**
 * The largest size in 1..`max` whose render takes at most `limit` bytes, given that bytes grow with size; 1 when
 * even one event is too large (it is cut to fit later). Each probe aims at the limit from the last one's bytes
 * at `perEvent` bytes an event, within the sizes known to fit and not to: usually the guess and its neighbour.
 * After a few probes it bisects, so an odd digest costs a logarithm, not a walk.
 */
function largestFit(
  max: number,
  guess: number,
  perEvent: number,
  limit: number,
  bytesOf: (size: number) => number,
): number {
  let lo = 0; // the largest size known to fit (0: none yet)
  let hi = max + 1; // the smallest size known not to fit
  let probe = Math.min(Math.max(guess, 1), max);
  for (let round = 0; ; round++) {
    const bytes = bytesOf(probe);
    if (bytes <= limit) lo = probe;
    else hi = probe;
    if (hi - lo <= 1) return Math.max(lo, 1);
    const aimed =
      round < 3 && Number.isFinite(bytes) ? probe + Math.floor((limit - bytes) / perEvent) : (lo + hi) >>> 1;
    probe = Math.min(Math.max(aimed, lo + 1), hi - 1);
  }
}

function partOf(index: number, count: number): DigestPart {
  return { index, count, label: `(${index}/${count})` };
}

/** A part must say which part it is even when the template does not print `it.part.label`. */
function withLabel(content: string, label: string): string {
  return label === '' || content.includes(label) ? content : `${content}\n${label}`;
}
