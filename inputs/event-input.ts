import { ENVELOPE_VERSION, asEnvelope, describe, isPlainObject, quote } from '../contracts/index.ts';
import type { EnvelopeV1, KubeEvent, PoisonMessageError } from '../contracts/index.ts';

/**
 * Reads the event inputs users have at hand: JSON lines or concatenated (pretty-printed) JSON values, each of
 * which may be a core/v1 or events.k8s.io/v1 Event, a watch event `{"type","object"}`, an envelope v1, a JSON
 * array of those, or a `kubectl get events -o json` list. Everything becomes an envelope, so preview, the local
 * pipeline and the function all judge the same thing.
 */

/** One event read from the input, as an envelope, with where it came from. */
export interface InputEvent {
  /** 0-based position among the events read (errors and skipped items take no index). */
  index: number;
  /** 1-based line where the JSON value holding it starts. */
  line: number;
  envelope: EnvelopeV1;
}

/** A value that could not be read, or one deliberately not judged (a DELETED watch event). */
export interface InputProblem {
  line: number;
  /** JSON path inside the value at `line`. */
  path: string;
  message: string;
  /** `error` makes the command exit 2; `skipped` is informational. */
  severity: 'error' | 'skipped';
}

export interface ReadOptions {
  /** Cluster name for inputs that carry none (plain Events); envelopes keep theirs. */
  cluster: string;
  /** `observedAt` for inputs that carry none. */
  observedAt: string;
}

export interface InputResult {
  events: InputEvent[];
  problems: InputProblem[];
}

/** Reads a whole input text. Never throws: every problem is returned with its line. */
export function readEventInput(text: string, options: ReadOptions): InputResult {
  const result: InputResult = { events: [], problems: [] };
  for (const chunk of splitJsonValues(text)) {
    if (chunk.error) {
      result.problems.push({ line: chunk.line, path: '$', message: chunk.error, severity: 'error' });
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(chunk.text);
    } catch (err) {
      result.problems.push({
        line: chunk.line,
        path: '$',
        message: `not valid JSON: ${(err as Error).message}`,
        severity: 'error',
      });
      continue;
    }
    collect(value, '$', chunk.line, options, result, 0);
  }
  return result;
}

// Lists hold events (a JSON array, a `kind: …List`), so a real input nests a list or two deep. Deeper nesting is
// refused before the recursion could overflow the stack: JSON.parse accepts any depth.
const MAX_LIST_DEPTH = 8;

function collect(
  value: unknown,
  path: string,
  line: number,
  options: ReadOptions,
  out: InputResult,
  depth: number,
): void {
  const problem = (message: string, at = path, severity: InputProblem['severity'] = 'error') =>
    out.problems.push({ line, path: at, message, severity });
  const push = (envelope: EnvelopeV1) => out.events.push({ index: out.events.length, line, envelope });
  const each = (items: unknown[], at: string) => {
    if (depth >= MAX_LIST_DEPTH) problem(`lists nested more than ${MAX_LIST_DEPTH} deep`, at);
    else items.forEach((item, i) => collect(item, `${at}[${i}]`, line, options, out, depth + 1));
  };

  if (Array.isArray(value)) {
    each(value, path);
    return;
  }
  if (!isPlainObject(value)) {
    problem(`expected an Event, a watch event, an envelope or a list, got ${describe(value)}`);
    return;
  }
  if ('v' in value) {
    try {
      push(asEnvelope(value));
    } catch (err) {
      const poison = err as PoisonMessageError;
      problem(`envelope: ${poison.message.slice(poison.path.length + 2)}`, path + poison.path.slice(1));
    }
    return;
  }
  if (typeof value.kind === 'string' && value.kind.endsWith('List')) {
    if (!Array.isArray(value.items)) {
      problem(`a ${value.kind} needs an "items" array`, `${path}.items`);
      return;
    }
    each(value.items, `${path}.items`);
    return;
  }
  if (typeof value.type === 'string' && 'object' in value && !('involvedObject' in value)) {
    collectWatchEvent(value.type, value.object, path, line, options, out, problem);
    return;
  }
  const eventProblem = whyNotAnEvent(value);
  if (eventProblem) {
    problem(eventProblem);
    return;
  }
  push(plainEnvelope(value as KubeEvent, 'ADDED', options));
}

function collectWatchEvent(
  type: string,
  object: unknown,
  path: string,
  line: number,
  options: ReadOptions,
  out: InputResult,
  problem: (message: string, at?: string, severity?: InputProblem['severity']) => void,
): void {
  if (type === 'DELETED' || type === 'BOOKMARK') {
    problem(`a ${type} watch event is not notified`, `${path}.type`, 'skipped');
    return;
  }
  if (type === 'ERROR') {
    problem(
      'the watch reported an error (an ERROR watch event carries a Status, not an Event)',
      `${path}.type`,
    );
    return;
  }
  if (type !== 'ADDED' && type !== 'MODIFIED') {
    problem(`unknown watch event type ${quote(type)} (expected ADDED or MODIFIED)`, `${path}.type`);
    return;
  }
  const eventProblem = isPlainObject(object)
    ? whyNotAnEvent(object)
    : `expected an Event, got ${describe(object)}`;
  if (eventProblem) {
    problem(eventProblem, `${path}.object`);
    return;
  }
  out.events.push({
    index: out.events.length,
    line,
    envelope: plainEnvelope(object as KubeEvent, type, options),
  });
}

function whyNotAnEvent(value: Record<string, unknown>): string | null {
  if (value.kind === 'Event') return null;
  if (value.kind === undefined && ('involvedObject' in value || 'regarding' in value)) return null;
  if (value.kind === undefined && typeof value.parked === 'string')
    return 'a pile of parked events from the DLQ (counts for a summary, not Events): `kube-wecom redrive` sends it';
  if (value.kind === undefined) return 'not an Event: no "kind" and no "involvedObject" or "regarding"';
  return `not an Event: kind ${quote(value.kind)}`;
}

function plainEnvelope(event: KubeEvent, watchType: 'ADDED' | 'MODIFIED', options: ReadOptions): EnvelopeV1 {
  return { v: ENVELOPE_VERSION, cluster: options.cluster, watchType, observedAt: options.observedAt, event };
}

interface JsonChunk {
  text: string;
  line: number;
  error?: string;
}

/**
 * Splits a text into its top-level JSON values (JSON lines, or objects pretty-printed one after another as
 * `kubectl get -w -o json` prints them), keeping the line each starts on. Only the nesting is tracked here;
 * `JSON.parse` judges each value.
 *
 * A broken value must not swallow the values after it (`{"kind":"Event", broken` then valid lines). It ends, as
 * unterminated, where no JSON value can go on: at a newline inside a string (JSON strings hold none), or, inside
 * an object, at a line that starts in its first column with `{` or `[` (a member starts with its key, and
 * pretty-printers indent nested values), which is where the next value starts.
 */
export function* splitJsonValues(text: string): Generator<JsonChunk> {
  let line = 1;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      line++;
      i++;
      continue;
    }
    if (c === 32 || c === 9 || c === 13 || c === 0xfeff) {
      i++;
      continue;
    }
    const start = i;
    const startLine = line;
    if (c !== 123 && c !== 91) {
      // A scalar or garbage: the rest of the line is one (bad) value.
      while (i < n && text.charCodeAt(i) !== 10) i++;
      yield { text: text.slice(start, i), line: startLine };
      continue;
    }
    // The open containers, innermost last: 123 for an object, 91 for an array.
    const open: number[] = [];
    let inString = false;
    let broken = false;
    for (; i < n; i++) {
      const ch = text.charCodeAt(i);
      if (ch === 10) {
        const next = text.charCodeAt(i + 1);
        if (inString || (open.at(-1) === 123 && (next === 123 || next === 91))) {
          broken = true;
          break;
        }
        line++;
      }
      if (inString) {
        if (ch === 92) i++;
        else if (ch === 34) inString = false;
        continue;
      }
      if (ch === 34) inString = true;
      else if (ch === 123 || ch === 91) open.push(ch);
      else if (ch === 125 || ch === 93) {
        open.pop();
        if (open.length === 0) {
          i++;
          break;
        }
      }
    }
    if (broken || open.length !== 0 || inString) {
      yield {
        text: text.slice(start, i),
        line: startLine,
        error: 'unterminated JSON value (missing closing bracket or quote)',
      };
      continue;
    }
    yield { text: text.slice(start, i), line: startLine };
  }
}
