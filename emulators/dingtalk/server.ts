import { parseObject, type EmulatorReply } from '../json-server/index.ts';
import type { Entry } from '../journal/index.ts';
import { RobotRateLimit } from '../robot-rate/index.ts';
import {
  lacksKeyword,
  serveRobots,
  type RobotEmulator,
  type RobotEmulatorOptions,
} from '../chat-robot/index.ts';
import { checkDingtalkBody, checkDingtalkSignature, firedMentions, type DingtalkRefusal } from './checks.ts';

/** Options of `startDingtalkEmulator`; all optional. The body limit defaults to DingTalk's 20,000 bytes. */
export interface DingtalkEmulatorOptions extends RobotEmulatorOptions {
  /** Messages per window and the block after going over (default 20 per 60 s, then 10 minutes); `false`: none. */
  rateLimit?: { messages?: number; windowMs?: number; blockMs?: number } | false;
}

/** A message the emulator accepted. */
export interface DingtalkRecordedMessage extends Entry {
  msgtype: 'text' | 'markdown';
  body: Record<string, unknown>;
  /** Ids whose mention fired (listed in `at` and written as `@id`), and `all` for `isAtAll`. */
  mentioned: string[];
  receivedAt: number;
}

/** A running DingTalk emulator; `webhookUrl(token)` is `<url>/robot/send?access_token=<token>`. */
export type DingtalkEmulator = RobotEmulator<DingtalkRecordedMessage>;

const SEND_PATH = '/robot/send';

/**
 * Starts a DingTalk custom-robot emulator on 127.0.0.1. It answers HTTP 200 with `{"errcode","errmsg"}` always,
 * and checks in this order (DingTalk's own precedence is undocumented): token (300001), signature and timestamp
 * (310000), size (460101), JSON (40035), msgtype and content (400105, 40035), keywords (310000), rate (130101,
 * with the 10-minute block).
 */
export function startDingtalkEmulator(options: DingtalkEmulatorOptions = {}): Promise<DingtalkEmulator> {
  const limit = options.rateLimit === false ? undefined : (options.rateLimit ?? {});
  const rate = limit
    ? new RobotRateLimit({
        windows: [{ messages: limit.messages ?? 20, windowMs: limit.windowMs ?? 60_000 }],
        blockMs: limit.blockMs ?? 10 * 60_000,
      })
    : null;

  return serveRobots<DingtalkRecordedMessage>(
    options,
    (token) => `${SEND_PATH}?access_token=${encodeURIComponent(token)}`,
    rate,
    (request, state) => {
      const token = request.url.searchParams.get('access_token') ?? '';
      const now = state.clock();
      const answer = (refusal: DingtalkRefusal): EmulatorReply => {
        state.requests.add({ robot: token, receivedAt: now, code: refusal.errcode });
        return { body: refusal };
      };
      if (request.method !== 'POST' || request.url.pathname !== SEND_PATH) {
        return { status: 404, body: { errcode: 404, errmsg: 'not found' } };
      }
      const robot = state.robots.get(token);
      if (!robot) return answer({ errcode: 300001, errmsg: 'token is not exist' });
      const unsigned =
        robot.secret &&
        checkDingtalkSignature(request.url.searchParams, robot.secret, now, state.toleranceMs);
      if (unsigned) return answer(unsigned);
      if (request.bytes > state.maxBodyBytes) {
        return answer({ errcode: 460101, errmsg: `message too long, exceed ${state.maxBodyBytes} bytes` });
      }
      const body = parseObject(request.body);
      if (!body) return answer({ errcode: 40035, errmsg: '缺少参数 json' });
      const message = checkDingtalkBody(body);
      if ('errcode' in message) return answer(message);
      if (lacksKeyword(robot, message.content))
        return answer({ errcode: 310000, errmsg: 'keywords not in content' });
      if (rate && !rate.admit(token, now).admitted) {
        return answer({ errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' });
      }
      const mentioned = firedMentions(message);
      state.messages.add({ robot: token, msgtype: message.msgtype, body, mentioned, receivedAt: now });
      return answer({ errcode: 0, errmsg: 'ok' });
    },
  );
}
