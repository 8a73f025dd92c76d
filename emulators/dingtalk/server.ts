import {
  startJsonServer,
  parseObject,
  type EmulatorRequest,
  type EmulatorReply,
} from '../json-server/index.ts';
import { Journal, type AnsweredRequest, type Entry } from '../journal/index.ts';
import { RobotRateLimit } from '../robot-rate/index.ts';
import { checkDingtalkBody, checkDingtalkSignature, firedMentions, type DingtalkRefusal } from './checks.ts';

/** A robot the emulator knows, with its security settings. */
export interface DingtalkRobot {
  /** The `access_token` of its webhook URL. */
  token: string;
  /** Signing secret: requests must carry a valid `timestamp` and `sign`. */
  secret?: string;
  /** Security keywords: every message must contain one. */
  keywords?: readonly string[];
}

/** Options of `startDingtalkEmulator`; all optional. */
export interface DingtalkEmulatorOptions {
  robots?: readonly DingtalkRobot[];
  /** Time source for signatures, rate limits and `receivedAt` (default `Date.now`); share it with the client. */
  clock?: () => number;
  /** Messages per window and the block after going over (default 20 per 60 s, then 10 minutes); `false`: none. */
  rateLimit?: { messages?: number; windowMs?: number; blockMs?: number } | false;
  /** Largest body accepted (default 20,000 bytes; 460101 above). */
  maxBodyBytes?: number;
  /** How far a signed timestamp may be from the emulator's clock (default one hour). */
  timestampToleranceMs?: number;
  port?: number;
}

/** A message the emulator accepted. */
export interface DingtalkRecordedMessage extends Entry {
  msgtype: 'text' | 'markdown';
  body: Record<string, unknown>;
  /** Ids whose mention fired (listed in `at` and written as `@id`), and `all` for `isAtAll`. */
  mentioned: string[];
  receivedAt: number;
}

/** A running DingTalk emulator. */
export interface DingtalkEmulator {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** A robot's webhook URL: `<url>/robot/send?access_token=<token>`. */
  webhookUrl(token: string): string;
  addRobot(robot: DingtalkRobot): void;
  messages(token?: string): DingtalkRecordedMessage[];
  requests(token?: string): AnsweredRequest[];
  /** Forgets messages, requests and rate-limit state; robots stay. */
  reset(): void;
  close(): Promise<void>;
}

const SEND_PATH = '/robot/send';

/**
 * Starts a DingTalk custom-robot emulator on 127.0.0.1. It answers HTTP 200 with `{"errcode","errmsg"}` always,
 * and checks in this order (DingTalk's own precedence is undocumented): token (300001), signature and timestamp
 * (310000), size (460101), JSON (40035), msgtype and content (400105, 40035), keywords (310000), rate (130101,
 * with the 10-minute block).
 */
export async function startDingtalkEmulator(
  options: DingtalkEmulatorOptions = {},
): Promise<DingtalkEmulator> {
  const clock = options.clock ?? Date.now;
  const robots = new Map((options.robots ?? []).map((r) => [r.token, r]));
  const rate =
    options.rateLimit === false
      ? null
      : new RobotRateLimit({
          windows: [
            { messages: options.rateLimit?.messages ?? 20, windowMs: options.rateLimit?.windowMs ?? 60_000 },
          ],
          blockMs: options.rateLimit?.blockMs ?? 10 * 60_000,
        });
  const maxBodyBytes = options.maxBodyBytes ?? 20_000;
  const toleranceMs = options.timestampToleranceMs ?? 60 * 60_000;
  const messages = new Journal<DingtalkRecordedMessage>();
  const requests = new Journal<AnsweredRequest>();

  const handle = (request: EmulatorRequest): EmulatorReply => {
    const token = request.url.searchParams.get('access_token') ?? '';
    const now = clock();
    const answer = (refusal: DingtalkRefusal): EmulatorReply => {
      requests.add({ robot: token, receivedAt: now, code: refusal.errcode });
      return { body: refusal };
    };
    if (request.method !== 'POST' || request.url.pathname !== SEND_PATH) {
      return { status: 404, body: { errcode: 404, errmsg: 'not found' } };
    }
    const robot = robots.get(token);
    if (!robot) return answer({ errcode: 300001, errmsg: 'token is not exist' });
    const unsigned =
      robot.secret && checkDingtalkSignature(request.url.searchParams, robot.secret, now, toleranceMs);
    if (unsigned) return answer(unsigned);
    if (request.bytes > maxBodyBytes) {
      return answer({ errcode: 460101, errmsg: `message too long, exceed ${maxBodyBytes} bytes` });
    }
    const body = parseObject(request.body);
    if (!body) return answer({ errcode: 40035, errmsg: '缺少参数 json' });
    const message = checkDingtalkBody(body);
    if ('errcode' in message) return answer(message);
    const keywords = robot.keywords ?? [];
    if (keywords.length > 0 && !keywords.some((k) => message.content.includes(k))) {
      return answer({ errcode: 310000, errmsg: 'keywords not in content' });
    }
    if (rate && !rate.admit(token, now).admitted) {
      return answer({ errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' });
    }
    messages.add({
      robot: token,
      msgtype: message.msgtype,
      body,
      mentioned: firedMentions(message),
      receivedAt: now,
    });
    return answer({ errcode: 0, errmsg: 'ok' });
  };

  const server = await startJsonServer(handle, options.port);
  return {
    url: server.url,
    webhookUrl: (token) => `${server.url}${SEND_PATH}?access_token=${encodeURIComponent(token)}`,
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
