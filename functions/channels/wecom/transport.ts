import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { isAxiosError, type AxiosInstance } from 'axios';

/** What one HTTP attempt produced, before any WeCom interpretation. */
export type AttemptOutcome =
  | {
      kind: 'answer';
      status: number;
      /** The parsed JSON body, or the raw text when it was not JSON. */
      data: unknown;
      /** Seconds from a `Retry-After` header, when present and numeric. */
      retryAfterSeconds?: number;
    }
  | {
      kind: 'no-answer';
      /** Node/axios error code, e.g. `ECONNRESET`, `ETIMEDOUT`. */
      code: string;
      /** The error message (axios and Node messages name host and port, never the query string). */
      message: string;
      timedOut: boolean;
      /** Whether the whole request reached an open connection, so the server may have acted on it. */
      sent: boolean;
    };

/**
 * POSTs a JSON string once. Statuses are not errors here (WeCom answers everything with 200, proxies do not);
 * redirects are never followed, so an allow-listed host cannot bounce the request elsewhere.
 *
 * The timeout is a wall-clock timer of our own: Node's socket timeout (axios' `timeout` with a custom transport)
 * starts only once the socket has connected, so it would never end a hanging connect or name lookup. A transport
 * wrapper records whether the socket connected and the request was written out: only then can the server have
 * acted on it.
 */
export async function postJson(
  client: AxiosInstance,
  url: string,
  payload: string,
  timeoutMs: number,
): Promise<AttemptOutcome> {
  const progress = { connected: false, written: false };
  const abort = new AbortController();
  let timedOut = false;
  const timer = setTimeout(
    () => {
      timedOut = true;
      abort.abort();
    },
    Math.max(1, Math.floor(timeoutMs)),
  );
  try {
    const response = await client.post(url, payload, {
      signal: abort.signal,
      maxRedirects: 0,
      validateStatus: () => true,
      headers: { 'content-type': 'application/json' },
      transitional: { silentJSONParsing: true, forcedJSONParsing: true },
      transport: trackingTransport(progress),
    });
    const retryAfter = Number(response.headers['retry-after']);
    return {
      kind: 'answer',
      status: response.status,
      data: response.data,
      ...(Number.isFinite(retryAfter) && retryAfter >= 0 ? { retryAfterSeconds: retryAfter } : {}),
    };
  } catch (err) {
    if (!isAxiosError(err)) throw err;
    return {
      kind: 'no-answer',
      code: timedOut ? 'ETIMEDOUT' : (err.code ?? 'EUNKNOWN'),
      message: timedOut ? `no answer within ${timeoutMs} ms` : err.message,
      timedOut,
      sent: progress.connected && progress.written,
    };
  } finally {
    clearTimeout(timer);
  }
}

function trackingTransport(progress: { connected: boolean; written: boolean }) {
  return {
    request(options: http.RequestOptions, callback: (res: http.IncomingMessage) => void): http.ClientRequest {
      const tls = options.protocol === 'https:';
      const req = (tls ? https : http).request(options, callback);
      req.once('socket', (socket: Socket) => {
        const markConnected = () => {
          progress.connected = true;
        };
        // A kept-alive socket is already connected and fires no connect event.
        if (!socket.connecting) markConnected();
        else socket.once(tls ? 'secureConnect' : 'connect', markConnected);
      });
      req.once('finish', () => {
        progress.written = true;
      });
      return req;
    },
  };
}
