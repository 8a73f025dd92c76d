import {
  startJsonServer,
  parseObject,
  type EmulatorRequest,
  type EmulatorReply,
} from '../json-server/index.ts';
import { Journal, type AnsweredRequest, type Entry } from '../journal/index.ts';
import { RobotRateLimit } from '../robot-rate/index.ts';

/** An application the emulator knows. */
export interface WecomApp {
  corpId: string;
  corpSecret: string;
  agentId: number;
}

/** Options of `startWecomAppEmulator`; all optional. */
export interface WecomAppEmulatorOptions {
  apps?: readonly WecomApp[];
  /** Time source for token expiry, rate limits and `receivedAt` (default `Date.now`). */
  clock?: () => number;
  /** Lifetime of issued tokens (default 7200 s, as WeCom's). */
  tokenTtlSeconds?: number;
  /** Messages per minute per application, then a one-minute block of 45009 (default 30); `false`: none. */
  perMinute?: number | false;
  /** Answer every `message/send` with 60020, as WeCom does for callers outside the application's trusted IPs. */
  untrustedIp?: boolean;
  port?: number;
}

/** A message the emulator accepted; over-long content is stored cut to 2048 bytes, as WeCom cuts it. */
export interface WecomAppRecordedMessage extends Entry {
  msgtype: 'text' | 'markdown';
  content: string;
  body: Record<string, unknown>;
  receivedAt: number;
}

/** A running WeCom application-API emulator. */
export interface WecomAppEmulator {
  /** `http://127.0.0.1:<port>`: the client's `apiBase`. */
  url: string;
  addApp(app: WecomApp): void;
  /** Accepted messages, for one application (`corpId/agentId`) or all. */
  messages(app?: string): WecomAppRecordedMessage[];
  /** Every `gettoken` and `message/send` request with its errcode. */
  requests(app?: string): AnsweredRequest[];
  /** How many tokens `gettoken` has issued since the start or the last `reset`. */
  tokensIssued(): number;
  /** Makes every issued token expired (the next send gets 42001). */
  expireTokens(): void;
  /** Forgets messages, requests, rate-limit state and tokens; applications stay. */
  reset(): void;
  close(): Promise<void>;
}

const MAX_CONTENT_BYTES = 2048;

/**
 * Starts an emulator of WeCom's application message API on 127.0.0.1: `GET /cgi-bin/gettoken` (40013 unknown
 * corp, 40001 wrong secret) and `POST /cgi-bin/message/send` (40014 unknown token, 42001 expired, 60020 untrusted
 * IP, 47001 not JSON, 40008 msgtype, 40056 agentid, 44004 empty content, 45009 rate). HTTP 200 always.
 */
export async function startWecomAppEmulator(
  options: WecomAppEmulatorOptions = {},
): Promise<WecomAppEmulator> {
  const clock = options.clock ?? Date.now;
  const apps: WecomApp[] = [...(options.apps ?? [])];
  const ttlMs = (options.tokenTtlSeconds ?? 7200) * 1000;
  const rate =
    options.perMinute === false
      ? null
      : new RobotRateLimit({
          windows: [{ messages: options.perMinute ?? 30, windowMs: 60_000 }],
          blockMs: 60_000,
        });
  const tokens = new Map<string, { app: WecomApp; expiresAt: number }>();
  let issued = 0;
  const messages = new Journal<WecomAppRecordedMessage>();
  const requests = new Journal<AnsweredRequest>();

  const gettoken = (query: URLSearchParams, answer: Answer): EmulatorReply => {
    const corpApps = apps.filter((a) => a.corpId === query.get('corpid'));
    if (corpApps.length === 0) return answer('', 40013, 'invalid corpid');
    const app = corpApps.find((a) => a.corpSecret === query.get('corpsecret'));
    if (!app) return answer(appId(corpApps[0]!), 40001, 'invalid credential');
    const token = `emulated-token-${++issued}-${Math.random().toString(36).slice(2)}`;
    tokens.set(token, { app, expiresAt: clock() + ttlMs });
    return answer(appId(app), 0, 'ok', { access_token: token, expires_in: ttlMs / 1000 });
  };

  const send = (request: EmulatorRequest, answer: Answer): EmulatorReply => {
    const grant = tokens.get(request.url.searchParams.get('access_token') ?? '');
    if (!grant) return answer('', 40014, 'invalid access_token');
    const id = appId(grant.app);
    if (clock() >= grant.expiresAt) return answer(id, 42001, 'access_token expired');
    if (options.untrustedIp) return answer(id, 60020, 'not allow to access from your ip');
    const body = parseObject(request.body);
    if (!body) return answer(id, 47001, 'data format error');
    const { msgtype } = body;
    if (msgtype !== 'text' && msgtype !== 'markdown') return answer(id, 40008, 'invalid message type');
    if (body.agentid !== grant.app.agentId) return answer(id, 40056, 'invalid agentid');
    const content = (body[msgtype] as { content?: unknown } | undefined)?.content;
    if (typeof content !== 'string' || content === '') return answer(id, 44004, 'empty content');
    if (rate && !rate.admit(id, clock()).admitted) return answer(id, 45009, 'api freq out of limit');
    messages.add({
      robot: id,
      msgtype,
      content: cutBytes(content, MAX_CONTENT_BYTES),
      body,
      receivedAt: clock(),
    });
    return answer(id, 0, 'ok', { invaliduser: '', invalidparty: '' });
  };

  const handle = (request: EmulatorRequest): EmulatorReply => {
    const answer: Answer = (app, errcode, errmsg, extra = {}) => {
      requests.add({ robot: app, receivedAt: clock(), code: errcode });
      return { body: { errcode, errmsg, ...extra } };
    };
    const route = `${request.method} ${request.url.pathname}`;
    if (route === 'GET /cgi-bin/gettoken') return gettoken(request.url.searchParams, answer);
    if (route === 'POST /cgi-bin/message/send') return send(request, answer);
    return { status: 404, body: { errcode: 404, errmsg: 'not found' } };
  };

  const server = await startJsonServer(handle, options.port);
  return {
    url: server.url,
    addApp: (app) => void apps.push(app),
    messages: (app) => messages.list(app),
    requests: (app) => requests.list(app),
    tokensIssued: () => issued,
    expireTokens: () => {
      for (const grant of tokens.values()) grant.expiresAt = -Infinity;
    },
    reset: () => {
      messages.clear();
      requests.clear();
      rate?.clear();
      tokens.clear();
      issued = 0;
    },
    close: () => server.close(),
  };
}

type Answer = (
  app: string,
  errcode: number,
  errmsg: string,
  extra?: Record<string, unknown>,
) => EmulatorReply;

/** How messages and requests are keyed: `corpId/agentId`. */
function appId(app: WecomApp): string {
  return `${app.corpId}/${app.agentId}`;
}

// WeCom cuts over-long application text instead of refusing it ("超过将截断").
function cutBytes(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  return new TextDecoder().decode(bytes.subarray(0, maxBytes)).replace(/\uFFFD$/, '');
}
