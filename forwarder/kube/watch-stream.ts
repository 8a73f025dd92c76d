import type { ClientRequest, IncomingMessage } from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node';
import { apiError, readText, startKubeRequest } from './connection.ts';
import type { WatchEventType, WatchHandle, WireObject } from './types.ts';

/** What a watch line carries: its type, the object, and the object's JSON text exactly as the server sent it. */
export type WatchLineHandler = (type: WatchEventType, object: WireObject, raw: string | undefined) => void;

/** Thrown when a watch stream was silent for longer than allowed; the caller reconnects, it is not a failure. */
export class WatchInactiveError extends Error {
  override name = 'TimeoutError';
}

/**
 * A watch line that is not a watch event (not JSON, not an object, a null object): the caller counts it and
 * reconnects from the last resourceVersion, since the stream it came from can no longer be trusted.
 */
export class MalformedWatchLineError extends Error {
  override name = 'MalformedWatchLineError';
}

/**
 * Opens one watch request and splits its chunked body into lines itself. client-node's `Watch` goes through
 * fetch, a web stream, `readline` and a timer reset per chunk, and hands out only parsed objects; here each
 * line is parsed once and its `object` text is kept, so the envelope is built around the server's own bytes
 * instead of serialising the event again. Authentication and TLS come from the kubeconfig as for every call.
 */
export async function openWatchStream(
  kc: KubeConfig,
  path: string,
  query: Record<string, string>,
  inactivityMs: number,
  onLine: WatchLineHandler,
  done: (err: unknown) => void,
): Promise<WatchHandle> {
  let finished = false;
  const finish = (err: unknown) => {
    if (finished) return;
    finished = true;
    req.destroy();
    done(err);
  };
  let established!: () => void;
  const answered = new Promise<void>((resolve) => (established = resolve));
  const req: ClientRequest = await startKubeRequest(kc, 'GET', path, { ...query, watch: 'true' }, (res) => {
    if (res.statusCode === 200) readLines(res, onLine, finish);
    else
      void readText(res).then(
        (text) => finish(apiError('GET', path, res.statusCode ?? 0, text)),
        (err: unknown) => finish(err),
      );
    established();
  });
  // The socket timeout restarts on every byte, so it bounds silence without a timer per chunk.
  req.setTimeout(inactivityMs, () => finish(new WatchInactiveError('watch stream inactive')));
  req.on('error', (err) => {
    finish(err);
    established();
  });
  req.end();
  await answered;
  return { abort: () => finish(undefined) };
}

function readLines(res: IncomingMessage, onLine: WatchLineHandler, finish: (err: unknown) => void): void {
  let partial: Buffer[] = [];
  const line = (text: string) => {
    if (text.length === 0) return;
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      finish(new MalformedWatchLineError(`watch stream: a line is not JSON: ${text.slice(0, 200)}`));
      return;
    }
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      finish(new MalformedWatchLineError(`watch stream: a line is not a watch event: ${text.slice(0, 200)}`));
      return;
    }
    const event = data as { type: WatchEventType; object: WireObject };
    try {
      onLine(event.type, event.object, objectText(text, event));
    } catch (err) {
      // A line the handler cannot take must end this stream, not the process: the caller reconnects.
      finish(err);
    }
  };
  res.on('data', (chunk: Buffer) => {
    let start = 0;
    let nl = chunk.indexOf(10);
    if (partial.length > 0 && nl !== -1) {
      partial.push(chunk.subarray(0, nl));
      const joined = Buffer.concat(partial);
      partial = [];
      line(joined.toString('utf8'));
      start = nl + 1;
      nl = chunk.indexOf(10, start);
    }
    for (; nl !== -1; nl = chunk.indexOf(10, start)) {
      line(chunk.toString('utf8', start, nl));
      start = nl + 1;
    }
    // Copied, so a pooled chunk is not kept alive by the tail of a line.
    if (start < chunk.length) partial.push(Buffer.from(chunk.subarray(start)));
  });
  res.on('end', () => {
    if (partial.length > 0) line(Buffer.concat(partial).toString('utf8'));
    finish(undefined);
  });
  res.on('error', finish);
  res.on('close', () => finish(res.complete ? undefined : new Error('watch stream closed early')));
}

/**
 * The `object` member's text, when the line is exactly `{"type":"…","object":…}` (how the API server writes
 * watch events); undefined for any other layout, and the caller serialises the parsed object instead.
 */
export function objectText(line: string, data: { type: unknown; object: unknown }): string | undefined {
  if (typeof data.type !== 'string' || line.charCodeAt(line.length - 1) !== 125 /* } */) return undefined;
  let keys = 0;
  for (const _ in data) keys++;
  const head = `{"type":${JSON.stringify(data.type)},"object":`;
  return keys === 2 && line.startsWith(head) ? line.slice(head.length, -1) : undefined;
}
