import {
  startJsonServer,
  parseObject,
  type EmulatorRequest,
  type EmulatorReply,
} from '../json-server/index.ts';
import { Journal, type AnsweredRequest, type Entry } from '../journal/index.ts';
import { RobotRateLimit } from '../robot-rate/index.ts';
import { checkFeishuBody, checkFeishuSignature, type FeishuRefusal } from './checks.ts';

/** A robot the emulator knows, with its security settings. */
export interface FeishuRobot {
  /** The last path segment of its webhook URL. */
  token: string;
  /** Signing secret: bodies must carry a valid `timestamp` and `sign`. */
  secret?: string;
  /** Security keywords: every message must contain one. */
  keywords?: readonly string[];
}

/** Options of `startFeishuEmulator`; all optional. */
export interface FeishuEmulatorOptions {
  robots?: readonly FeishuRobot[];
  /** Time source for signatures, rate limits and `receivedAt` (default `Date.now`); share it with the client. */
  clock?: () => number;
  /** Per-second and per-minute limits (default 5 and 100); `false`: none. Feishu documents no block. */
  rateLimit?: { perSecond?: number; perMinute?: number } | false;
  /** Largest body accepted (default 20,000 bytes, the strict reading of Feishu's "20 K"; 19036 above). */
  maxBodyBytes?: number;
  /** How far a signed timestamp may be from the emulator's clock (default one hour). */
  timestampToleranceMs?: number;
  /** Answer success in the older `{"StatusCode":0,"StatusMessage":"success"}` shape. */
  legacyAnswers?: boolean;
  port?: number;
}

/** A message the emulator accepted. */
export interface FeishuRecordedMessage extends Entry {
  msgType: 'text' | 'post' | 'interactive';
  body: Record<string, unknown>;
  /** Ids the message mentions (`all` for everyone). */
  mentioned: string[];
  receivedAt: number;
}

/** A running Feishu emulator. */
export interface FeishuEmulator {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** A robot's webhook URL: `<url>/open-apis/bot/v2/hook/<token>`. */
  webhookUrl(token: string): string;
  addRobot(robot: FeishuRobot): void;
  messages(token?: string): FeishuRecordedMessage[];
  requests(token?: string): AnsweredRequest[];
  /** Forgets messages, requests and rate-limit state; robots stay. */
  reset(): void;
  close(): Promise<void>;
}

const HOOK_PATH = '/open-apis/bot/v2/hook/';

/**
 * Starts a Feishu/Lark custom-robot emulator on 127.0.0.1. It answers HTTP 200 with `{"code","msg","data"}`
 * always, and checks in this order (Feishu's own precedence is undocumented): token (19001), size (19036), JSON
 * (9499 Bad Request), signature and timestamp (19021), msg_type and content (19002), keywords (19024), rate (9499
 * over 5 a second, 11232 over 100 a minute).
 */
export async function startFeishuEmulator(options: FeishuEmulatorOptions = {}): Promise<FeishuEmulator> {
  const clock = options.clock ?? Date.now;
  const robots = new Map((options.robots ?? []).map((r) => [r.token, r]));
  const limits = options.rateLimit === false ? undefined : (options.rateLimit ?? {});
  const perSecond = { messages: limits?.perSecond ?? 5, windowMs: 1000 };
  const perMinute = { messages: limits?.perMinute ?? 100, windowMs: 60_000 };
  const rate = limits ? new RobotRateLimit({ windows: [perSecond, perMinute], blockMs: 0 }) : null;
  const maxBodyBytes = options.maxBodyBytes ?? 20_000;
  const toleranceMs = options.timestampToleranceMs ?? 60 * 60_000;
  const messages = new Journal<FeishuRecordedMessage>();
  const requests = new Journal<AnsweredRequest>();

  const handle = (request: EmulatorRequest): EmulatorReply => {
    const token = request.url.pathname.slice(HOOK_PATH.length);
    const now = clock();
    const answer = (refusal: FeishuRefusal): EmulatorReply => {
      requests.add({ robot: token, receivedAt: now, code: refusal.code });
      return { body: { ...refusal, data: {} } };
    };
    if (request.method !== 'POST' || !request.url.pathname.startsWith(HOOK_PATH)) {
      return { status: 404, body: { code: 404, msg: 'not found' } };
    }
    const robot = robots.get(token);
    if (!robot) return answer({ code: 19001, msg: 'param invalid: incoming webhook access token invalid' });
    if (request.bytes > maxBodyBytes) return answer({ code: 19036, msg: 'request body too large' });
    const body = parseObject(request.body);
    if (!body) return answer({ code: 9499, msg: 'Bad Request' });
    const unsigned = robot.secret && checkFeishuSignature(body, robot.secret, now, toleranceMs);
    if (unsigned) return answer(unsigned);
    const message = checkFeishuBody(body);
    if ('code' in message) return answer(message);
    const keywords = robot.keywords ?? [];
    if (keywords.length > 0 && !keywords.some((k) => message.text.includes(k))) {
      return answer({ code: 19024, msg: 'Key Words Not Found' });
    }
    const admission = rate?.admit(token, now);
    if (admission && !admission.admitted) {
      return answer(
        admission.window === perSecond
          ? { code: 9499, msg: 'too many request' }
          : { code: 11232, msg: 'frequency limited' },
      );
    }
    messages.add({
      robot: token,
      msgType: message.msgType,
      body,
      mentioned: message.mentioned,
      receivedAt: now,
    });
    requests.add({ robot: token, receivedAt: now, code: 0 });
    return {
      body: options.legacyAnswers
        ? { Extra: null, StatusCode: 0, StatusMessage: 'success' }
        : { code: 0, data: {}, msg: 'success' },
    };
  };

  const server = await startJsonServer(handle, options.port);
  return {
    url: server.url,
    webhookUrl: (token) => `${server.url}${HOOK_PATH}${encodeURIComponent(token)}`,
    addRobot: (robot) => void robots.set(robot.token, robot),
    messages: (token) => messages.list(token),
    requests: (token) => requests.list(token),
    reset: () => {
      messages.clear();
      requests.clear();
      rate?.clear();
    },
    close: () => server.close(),
  };
}
