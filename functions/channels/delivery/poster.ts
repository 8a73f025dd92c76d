import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import axios, { isAxiosError, type AxiosInstance } from 'axios';

/** One HTTP request, body already serialized. */
export interface HttpRequest {
  method: string;
  url: string;
  headers: Readonly<Record<string, string>>;
  body?: string;
  timeoutMs: number;
}

/** What one HTTP request produced, before any channel reads it. */
export type HttpOutcome =
  | {
      kind: 'answer';
      status: number;
      /** The parsed JSON body, or the raw text when it is not JSON. */
      data: unknown;
      /** Seconds from a numeric `Retry-After` header. */
      retryAfterSeconds?: number;
    }
  | {
      kind: 'no-answer';
      /** Node/axios error code, e.g. `ECONNREFUSED`, or `ETIMEDOUT` for our own timer. */
      code: string;
      message: string;
      /** Our timer fired. */
      timedOut: boolean;
      /** The whole request went out on an open connection, so the server may have acted on it. */
      sent: boolean;
    };

/** Sends one HTTP request; injected so tests and emulators need no network stubs. */
export type HttpPoster = (request: HttpRequest) => Promise<HttpOutcome>;

/**
 * An `HttpPoster` over axios. Statuses are never errors here (robots answer failures with HTTP 200, proxies with
 * 4xx/5xx); redirects are not followed, so an allowed host cannot bounce a request elsewhere.
 *
 * The timeout is a wall-clock timer of our own: Node's socket timeout (axios' `timeout` with a custom transport)
 * starts only once the socket has connected, so it would never end a hanging connect or name lookup. A transport
 * wrapper records whether the socket connected and the request was written out: only then can the server have
 * acted on it, which decides whether a timeout may be retried.
 */
export function axiosPoster(client: AxiosInstance = axios.create()): HttpPoster {
  return async (request) => {
    const progress = { connected: false, written: false };
    const abort = new AbortController();
    let timedOut = false;
    const timer = setTimeout(
      () => {
        timedOut = true;
        abort.abort();
      },
      Math.max(1, Math.floor(request.timeoutMs)),
    );
    try {
      const response = await client.request<string>({
        method: request.method,
        url: request.url,
        headers: { ...request.headers },
        data: request.body,
        signal: abort.signal,
        maxRedirects: 0,
        validateStatus: () => true,
        responseType: 'text',
        transformResponse: (text: string) => text,
        transport: trackingTransport(progress),
      });
      const retryAfter = Number(response.headers['retry-after']);
      return {
        kind: 'answer',
        status: response.status,
        data: parseJson(response.data),
        ...(response.headers['retry-after'] != null && Number.isFinite(retryAfter) && retryAfter >= 0
          ? { retryAfterSeconds: retryAfter }
          : {}),
      };
    } catch (err) {
      if (!isAxiosError(err)) throw err;
      return {
        kind: 'no-answer',
        code: timedOut ? 'ETIMEDOUT' : (err.code ?? 'EUNKNOWN'),
        message: timedOut ? `no answer within ${request.timeoutMs} ms` : err.message,
        timedOut,
        sent: progress.connected && progress.written,
      };
    } finally {
      clearTimeout(timer);
    }
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
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
