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
      /** Our timer fired: the server may have received and acted on the request. */
      timedOut: boolean;
    };

/** Sends one HTTP request; injected so tests and emulators need no network stubs. */
export type HttpPoster = (request: HttpRequest) => Promise<HttpOutcome>;

/**
 * An `HttpPoster` over axios. Statuses are never errors here (robots answer failures with HTTP 200, proxies with
 * 4xx/5xx); redirects are not followed, so an allowed host cannot bounce a request elsewhere. The timeout is a
 * wall-clock timer of our own, because a socket timeout would not end a hanging connect or name lookup.
 */
export function axiosPoster(client: AxiosInstance = axios.create()): HttpPoster {
  return async (request) => {
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
