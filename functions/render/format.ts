import { cutIndex, utf8Bytes } from './bytes.ts';

/** Helpers templates reach as `it.fmt`. Pure functions of their input, the bundle's time zone and the clock. */
export interface Formatters {
  /** The bundle's IANA time zone. */
  readonly timeZone: string;
  /** `2026-11-27 18:05:00` in the bundle's time zone; `-` for a missing or unparsable timestamp. */
  time(iso: string | null | undefined): string;
  /** Age relative to the clock: `just now`, `45s ago`, `3m ago`, `2h ago`, `4d ago`; `-` when unknown. */
  ago(iso: string | null | undefined): string;
  /** At most `maxBytes` UTF-8 bytes, ending in `…` when cut; never splits a character. */
  truncate(text: string | null | undefined, maxBytes: number): string;
  /**
   * Collapses runs of whitespace, newlines included, into single spaces (for one-line summaries). With
   * `maxBytes`, the same as `truncate(oneLine(text), maxBytes)`, but reading only as much of `text` as the cut
   * needs: a digest line's summary of a 5 KB stack trace costs what its 300 bytes cost.
   */
  oneLine(text: string | null | undefined, maxBytes?: number): string;
  /** The UTF-8 length of a string. */
  bytes(text: string | null | undefined): number;
}

const MINUTE = 60_000;
// Zone offsets change only at transitions, which fall on quarter hours; caching per quarter hour keeps `time` off
// Intl's slow path for all but the first timestamp of each quarter.
const QUARTER = 15 * MINUTE;
const MAX_CACHED = 4096;

/** Builds the helpers for one bundle; `timeZone` must be valid (validation checked it). */
export function createFormatters(timeZone: string, now: () => number): Formatters {
  // Made when the first time is formatted, not here: the first formatter with a time zone loads ICU's zone data
  // (about 25 ms), which a cold start would otherwise pay before the handler is ready.
  let parts: Intl.DateTimeFormat | undefined;
  const offsets = new Map<number, number>();
  // The same timestamps come back for every receiver and digest an event goes to; parsing and formatting them
  // is the costly part of a render.
  const parsed = new Map<string, number>();
  const times = new Map<string, string>();

  function parse(iso: string | null | undefined): number | undefined {
    if (!iso) return undefined;
    let ms = parsed.get(iso);
    if (ms === undefined) {
      ms = Date.parse(iso);
      if (parsed.size >= MAX_CACHED) parsed.clear();
      parsed.set(iso, ms);
    }
    return Number.isNaN(ms) ? undefined : ms;
  }

  function offsetAt(ms: number): number {
    const quarter = Math.floor(ms / QUARTER);
    let offset = offsets.get(quarter);
    if (offset === undefined) {
      const at = quarter * QUARTER;
      const f: Record<string, number> = {};
      parts ??= new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
      });
      for (const p of parts.formatToParts(at)) if (p.type !== 'literal') f[p.type] = Number(p.value);
      offset = Date.UTC(f.year!, f.month! - 1, f.day!, f.hour!, f.minute!) - at;
      if (offsets.size >= MAX_CACHED) offsets.clear();
      offsets.set(quarter, offset);
    }
    return offset;
  }

  return {
    timeZone,
    time(iso) {
      if (!iso) return '-';
      let text = times.get(iso);
      if (text === undefined) {
        const ms = parse(iso);
        if (ms === undefined) return '-';
        const d = new Date(ms + offsetAt(ms));
        text = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
        if (times.size >= MAX_CACHED) times.clear();
        times.set(iso, text);
      }
      return text;
    },
    ago(iso) {
      const ms = parse(iso);
      if (ms === undefined) return '-';
      const seconds = Math.floor((now() - ms) / 1000);
      if (seconds < 5) return 'just now';
      if (seconds < 60) return `${seconds}s ago`;
      if (seconds < 3600) return `${Math.floor(seconds / 60)}m ago`;
      if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h ago`;
      return `${Math.floor(seconds / 86_400)}d ago`;
    },
    truncate(text, maxBytes) {
      return truncate(text ?? '', maxBytes);
    },
    oneLine(text, maxBytes) {
      const value = text ?? '';
      if (maxBytes === undefined) return collapse(value);
      // Collapsing only ever shortens, and the collapsed form of a prefix is a prefix of the whole's; so once a
      // prefix collapses to more than `maxBytes`, the cut is the same as the whole's. (A surrogate pair split by
      // the prefix ends it, past the bytes the cut keeps.)
      for (let take = maxBytes + 1; ; take *= 4) {
        const whole = take >= value.length;
        const line = collapse(whole ? value : value.slice(0, take));
        if (whole || utf8Bytes(line) > maxBytes) return truncate(line, maxBytes);
      }
    },
    bytes(text) {
      return utf8Bytes(text ?? '');
    },
  };
}

function truncate(value: string, maxBytes: number): string {
  if (utf8Bytes(value) <= maxBytes) return value;
  if (maxBytes < 3) return '';
  return value.slice(0, cutIndex(value, maxBytes - 3)) + '…';
}

// Whitespace other than a space, a space before more whitespace, or one at either end: what `collapse` changes.
const UNCOLLAPSED = /[^\S ]| \s|^ | $/;

function collapse(text: string): string {
  // Most messages are one line with single spaces; testing costs one scan, replacing also allocates.
  return UNCOLLAPSED.test(text) ? text.replace(/\s+/g, ' ').trim() : text;
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
