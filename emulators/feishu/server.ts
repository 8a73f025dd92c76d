import { parseObject, type EmulatorReply } from '../json-server/index.ts';
import type { Entry } from '../journal/index.ts';
import { RobotRateLimit } from '../robot-rate/index.ts';
import {
  lacksKeyword,
  serveRobots,
  type RobotEmulator,
  type RobotEmulatorOptions,
} from '../chat-robot/index.ts';
import { checkFeishuBody, checkFeishuSignature, type FeishuRefusal } from './checks.ts';

/**
 * Options of `startFeishuEmulator`; all optional. The body limit defaults to 20,000 bytes, the strict reading of
 * Feishu's "20 K".
 */
export interface FeishuEmulatorOptions extends RobotEmulatorOptions {
  /** Per-second and per-minute limits (default 5 and 100); `false`: none. Feishu documents no block. */
  rateLimit?: { perSecond?: number; perMinute?: number } | false;
  /** Answer success in the older `{"StatusCode":0,"StatusMessage":"success"}` shape. */
  legacyAnswers?: boolean;
}

/** A message the emulator accepted. */
export interface FeishuRecordedMessage extends Entry {
  msgType: 'text' | 'post' | 'interactive';
  body: Record<string, unknown>;
  /** Ids the message mentions (`all` for everyone). */
  mentioned: string[];
  receivedAt: number;
}

/** A running Feishu emulator; `webhookUrl(token)` is `<url>/open-apis/bot/v2/hook/<token>`. */
export type FeishuEmulator = RobotEmulator<FeishuRecordedMessage>;

const HOOK_PATH = '/open-apis/bot/v2/hook/';

/**
 * Starts a Feishu/Lark custom-robot emulator on 127.0.0.1. It answers HTTP 200 with `{"code","msg","data"}`
 * always, and checks in this order (Feishu's own precedence is undocumented): token (19001), size (19036), JSON
 * (9499 Bad Request), signature and timestamp (19021), msg_type and content (19002), keywords (19024), rate (9499
 * over 5 a second, 11232 over 100 a minute).
 */
export function startFeishuEmulator(options: FeishuEmulatorOptions = {}): Promise<FeishuEmulator> {
  const limits = options.rateLimit === false ? undefined : (options.rateLimit ?? {});
  const perSecond = { messages: limits?.perSecond ?? 5, windowMs: 1000 };
  const perMinute = { messages: limits?.perMinute ?? 100, windowMs: 60_000 };
  const rate = limits ? new RobotRateLimit({ windows: [perSecond, perMinute], blockMs: 0 }) : null;
  const success = options.legacyAnswers
    ? { Extra: null, StatusCode: 0, StatusMessage: 'success' }
    : { code: 0, data: {}, msg: 'success' };

  return serveRobots<FeishuRecordedMessage>(
    options,
    (token) => `${HOOK_PATH}${encodeURIComponent(token)}`,
    rate,
    (request, state) => {
      const token = request.url.pathname.slice(HOOK_PATH.length);
      const now = state.clock();
      const answer = (refusal: FeishuRefusal): EmulatorReply => {
        state.requests.add({ robot: token, receivedAt: now, code: refusal.code });
        return { body: { ...refusal, data: {} } };
      };
      if (request.method !== 'POST' || !request.url.pathname.startsWith(HOOK_PATH)) {
        return { status: 404, body: { code: 404, msg: 'not found' } };
      }
      const robot = state.robots.get(token);
      if (!robot) return answer({ code: 19001, msg: 'param invalid: incoming webhook access token invalid' });
      if (request.bytes > state.maxBodyBytes) return answer({ code: 19036, msg: 'request body too large' });
      const body = parseObject(request.body);
      if (!body) return answer({ code: 9499, msg: 'Bad Request' });
      const unsigned = robot.secret && checkFeishuSignature(body, robot.secret, now, state.toleranceMs);
      if (unsigned) return answer(unsigned);
      const message = checkFeishuBody(body);
      if ('code' in message) return answer(message);
      if (lacksKeyword(robot, message.text)) return answer({ code: 19024, msg: 'Key Words Not Found' });
      const admission = rate?.admit(token, now);
      if (admission && !admission.admitted) {
        const perSecondHit = admission.window === perSecond;
        return answer(
          perSecondHit ? { code: 9499, msg: 'too many request' } : { code: 11232, msg: 'frequency limited' },
        );
      }
      const { msgType, mentioned } = message;
      state.messages.add({ robot: token, msgType, body, mentioned, receivedAt: now });
      state.requests.add({ robot: token, receivedAt: now, code: 0 });
      return { body: success };
    },
  );
}
