import type { EnvelopeV1 } from '../contracts/index.ts';

/**
 * An envelope as the text of a queue message, as the forwarder would send it, for `preview --batch`.
 * `JSON.stringify` recurses, so a value nested some thousands deep (which `JSON.parse` read, and the function
 * handles) overflows its stack; such an envelope is serialised by a loop instead, with the same output.
 */
export function queueBody(envelope: EnvelopeV1): string {
  try {
    return JSON.stringify(envelope);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    return stringifyWithoutRecursion(envelope);
  }
}

/** A container being written: its remaining entries, and whether one was written already. */
interface Frame {
  close: string;
  entries: Array<readonly [key: string | undefined, value: unknown]>;
  next: number;
  written: boolean;
}

/** `JSON.stringify` for parsed JSON values (objects, arrays, strings, finite numbers, booleans, null), without recursion. */
export function stringifyWithoutRecursion(value: unknown): string {
  const out: string[] = [];
  const stack: Frame[] = [];
  const open = (item: unknown): void => {
    if (Array.isArray(item)) {
      out.push('[');
      stack.push({ close: ']', entries: item.map((v) => [undefined, v] as const), next: 0, written: false });
    } else if (typeof item === 'object' && item !== null) {
      out.push('{');
      const entries = Object.entries(item).filter(([, v]) => v !== undefined && typeof v !== 'function');
      stack.push({ close: '}', entries, next: 0, written: false });
    } else {
      out.push(JSON.stringify(item) ?? 'null');
    }
  };
  open(value);
  while (stack.length > 0) {
    const frame = stack.at(-1)!;
    if (frame.next === frame.entries.length) {
      out.push(frame.close);
      stack.pop();
      continue;
    }
    const [key, item] = frame.entries[frame.next++]!;
    if (frame.written) out.push(',');
    frame.written = true;
    if (key !== undefined) out.push(JSON.stringify(key), ':');
    open(item);
  }
  return out.join('');
}
