import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { setMaxListeners } from 'node:events';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { formatErrmsg, REASONS } from './errmsg.ts';
import { FaultTable, type Fault } from './faults.ts';
import { checkMessage } from './message-check.ts';
import { RateWindow, type RateLimitOptions } from './rate-window.ts';

/** Options of `startWecomEmulator`; all optional. */
export interface WecomEmulatorOptions {
  /** Port on 127.0.0.1 (default 0: any free port). */
  port?: number;
  /** Robot keys that exist from the start; `addKey` adds more. */
  keys?: string[];
  /** Accept any non-empty key (for the local preview page), instead of 93000 for unknown ones. */
  acceptAnyKey?: boolean;
  /** Reject text over the documented 2048 bytes instead of the observed 5120. */
  strictText?: boolean;
  /** Per-key rate limiting (default: 20 per sliding minute, 60 s block); `false` turns it off. */
  rateLimit?: RateLimitOptions | false;
  /** Time source for rate limiting and `receivedAt` (default `Date.now`); share it with the client under test. */
  clock?: () => number;
  /** Randomness for fault probabilities (default `Math.random`). */
  random?: () => number;
  /** The `from ip:` in errmsg (default: the caller's address, as WeCom reports the caller's egress IP). */
  fromIp?: string;
}

/** A message the emulator accepted. */
export interface RecordedMessage {
  key: string;
  msgtype: string;
  /** The msgtype's object, e.g. `{ content, mentioned_list }`. */
  payload: Record<string, unknown>;
  /** The whole JSON body as received. */
  body: Record<string, unknown>;
  /** Epoch ms by the emulator's clock. */
  receivedAt: number;
}

/** Every request to the send endpoint and how it was answered: an errcode, or `http <status>`, `reset`, `hang`. */
export interface RecordedRequest {
  key: string;
  receivedAt: number;
  answer: number | string;
}

/** Handles one request on an added route; `url` is already parsed. */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => void | Promise<void>;

/** A running emulator. */
export interface WecomEmulator {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** The webhook URL of a robot: `<url>/cgi-bin/webhook/send?key=<key>`. */
  webhookUrl(key: string): string;
  /** Makes a key valid. */
  addKey(key: string): void;
  /** Accepted messages, for one key or all, oldest first. */
  messages(key?: string): RecordedMessage[];
  /** Every send request with its answer, for one key or all. */
  requests(key?: string): RecordedRequest[];
  /** Forgets messages, requests, faults, rate-limit state and revocations; keys stay. */
  reset(): void;
  /** Injects a fault (returns a remover); `{ kind: 'revoke', key }` removes the robot, so it gets 93000 from then on. */
  inject(fault: Fault | { kind: 'revoke'; key: string }): () => void;
  /** Adds a route, e.g. the preview page; routes are matched on method and exact path. */
  route(method: string, path: string, handler: RouteHandler): void;
  /** Calls `listener` with each message accepted from now on (the preview page's live feed); returns a remover. */
  onMessage(listener: (message: RecordedMessage) => void): () => void;
  stop(): Promise<void>;
}

const SEND_PATH = '/cgi-bin/webhook/send';

/** Starts the WeCom robot emulator on 127.0.0.1 (docs/wecom.md, The emulator). */
export async function startWecomEmulator(options: WecomEmulatorOptions = {}): Promise<WecomEmulator> {
  const clock = options.clock ?? Date.now;
  const random = options.random ?? Math.random;
  const keys = new Set(options.keys ?? []);
  const revoked = new Set<string>();
  const faults = new FaultTable(random);
  const rate = options.rateLimit === false ? null : new RateWindow(options.rateLimit);
  const limits = { text: options.strictText ? 2048 : 5120, markdown: 4096 };
  const messages: RecordedMessage[] = [];
  const requests: RecordedRequest[] = [];
  const routes = new Map<string, RouteHandler>();
  const listeners = new Set<(message: RecordedMessage) => void>();
  const stopping = new AbortController();
  // Every delayed answer waits on this one signal until it is sent, so a busy robot has many listeners at once,
  // each removed when its answer goes out; Node's leak warning at 10 would be a false alarm.
  setMaxListeners(Infinity, stopping.signal);

  const answer = (
    req: IncomingMessage,
    res: ServerResponse,
    key: string,
    errcode: number,
    reason: string,
  ) => {
    const now = clock();
    const ip = options.fromIp ?? (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    requests.push({ key, receivedAt: now, answer: errcode });
    sendJson(res, 200, {
      errcode,
      errmsg: errcode === 0 ? reason : formatErrmsg(errcode, reason, ip, now),
    });
  };

  const handleSend: RouteHandler = async (req, res, url) => {
    const key = url.searchParams.get('key') ?? '';
    const raw = await readBody(req);
    const plan = faults.plan(key);
    if (plan.delayMs > 0) await delay(plan.delayMs, undefined, { signal: stopping.signal });
    const fault = plan.override;
    if (fault?.kind === 'hang') {
      requests.push({ key, receivedAt: clock(), answer: 'hang' });
      return;
    }
    if (fault?.kind === 'reset') {
      requests.push({ key, receivedAt: clock(), answer: 'reset' });
      req.socket.resetAndDestroy();
      return;
    }
    if (fault?.kind === 'http-status') {
      requests.push({ key, receivedAt: clock(), answer: `http ${fault.status}` });
      res
        .writeHead(fault.status, { 'content-type': 'text/html', ...fault.headers })
        .end(fault.body ?? `<html><body>${fault.status}</body></html>`);
      return;
    }
    if (fault?.kind === 'errcode') {
      return answer(req, res, key, fault.errcode, fault.reason ?? REASONS[fault.errcode] ?? 'unknown error');
    }

    if (!key || revoked.has(key) || !(options.acceptAnyKey || keys.has(key))) {
      return answer(req, res, key, 93000, REASONS[93000]!);
    }
    const now = clock();
    const checked = checkMessage(raw, limits);
    if ('errcode' in checked) {
      rate?.countRejectedCall(key, now);
      return answer(req, res, key, checked.errcode, checked.reason);
    }
    if (rate && !rate.admit(key, now)) return answer(req, res, key, 45009, REASONS[45009]!);
    const message: RecordedMessage = {
      key,
      msgtype: checked.msgtype,
      payload: checked.payload,
      body: checked.body,
      receivedAt: now,
    };
    messages.push(message);
    for (const listener of listeners) listener(message);
    return answer(req, res, key, 0, REASONS[0]!);
  };

  routes.set(`POST ${SEND_PATH}`, handleSend);
  routes.set('GET /api/messages', (_req, res, url) => {
    const key = url.searchParams.get('key');
    sendJson(res, 200, { messages: key === null ? messages : messages.filter((m) => m.key === key) });
  });

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const handler = routes.get(`${req.method} ${url.pathname}`);
    if (!handler) {
      sendJson(res, 404, { error: `no route for ${req.method} ${url.pathname}` });
      return;
    }
    Promise.resolve(handler(req, res, url)).catch((err: unknown) => {
      if (stopping.signal.aborted) return;
      if (!res.headersSent) sendJson(res, 500, { error: String(err) });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const base = `http://127.0.0.1:${port}`;

  return {
    url: base,
    port,
    webhookUrl: (key) => `${base}${SEND_PATH}?key=${encodeURIComponent(key)}`,
    addKey: (key) => {
      keys.add(key);
      revoked.delete(key);
    },
    messages: (key) => (key === undefined ? [...messages] : messages.filter((m) => m.key === key)),
    requests: (key) => (key === undefined ? [...requests] : requests.filter((r) => r.key === key)),
    reset: () => {
      messages.length = 0;
      requests.length = 0;
      faults.clear();
      rate?.clear();
      revoked.clear();
    },
    inject: (fault) => {
      if (fault.kind !== 'revoke') return faults.add(fault);
      revoked.add(fault.key);
      return () => revoked.delete(fault.key);
    },
    route: (method, path, handler) => {
      routes.set(`${method.toUpperCase()} ${path}`, handler);
    },
    onMessage: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    stop: async () => {
      stopping.abort();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' }).end(JSON.stringify(value));
}
