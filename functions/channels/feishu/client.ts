import {
  ChannelSender,
  JSON_HEADERS,
  type ChannelClientOptions,
  type ChannelSendOptions,
  type ChannelSendResult,
  type PlatformAnswer,
} from '../delivery/index.ts';
import type { FeishuBody } from './bodies.ts';
import { FEISHU_ERRCODES, FEISHU_LOOKUP } from './errcodes.ts';
import { FEISHU_LIMITS } from './limits.ts';
import { signFeishuBody } from './sign.ts';

/** The robot endpoints of Feishu (China) and Lark (international). */
export const FEISHU_ENDPOINTS = [
  { origin: 'https://open.feishu.cn', pathPrefix: '/open-apis/bot/v2/hook/' },
  { origin: 'https://open.larksuite.com', pathPrefix: '/open-apis/bot/v2/hook/' },
] as const;

/** Options of one Feishu send. */
export interface FeishuSendOptions extends ChannelSendOptions {
  /** The robot's signing secret, already resolved from its reference; omit for unsigned robots. */
  secret?: string;
}

/**
 * Sends to Feishu/Lark custom robots: one request per call, signed in the body when the robot has a secret, judged
 * by the answer's `code` (or the older `StatusCode`). Failures are thrown as `ChannelError`s.
 *
 * @example
 * const client = new FeishuClient();
 * await client.send(url, buildFeishuBody('post', content), { deadline: Date.now() + 10_000, secret });
 */
export class FeishuClient extends ChannelSender {
  constructor(options: ChannelClientOptions = {}) {
    super(
      {
        channel: 'feishu',
        readAnswer: readFeishuAnswer,
        errcodes: FEISHU_ERRCODES,
        lookUp: FEISHU_LOOKUP,
        bareSuccess: false,
        blockMs: FEISHU_LIMITS.blockMs,
      },
      FEISHU_ENDPOINTS,
      options,
    );
  }

  send(url: string, body: FeishuBody, options: FeishuSendOptions): Promise<ChannelSendResult> {
    const seconds = Math.floor(this.context.clock() / 1000);
    const payload = options.secret ? signFeishuBody(body, options.secret, seconds) : body;
    return this.sendOnce(
      url,
      { method: 'POST', url, headers: JSON_HEADERS, body: JSON.stringify(payload) },
      options.deadline,
    );
  }
}

/** Reads `{"code","msg"}`, or the older `{"StatusCode","StatusMessage"}`. */
function readFeishuAnswer(data: unknown): PlatformAnswer | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const answer = data as { code?: unknown; msg?: unknown; StatusCode?: unknown; StatusMessage?: unknown };
  if (Number.isInteger(answer.code)) {
    return { code: answer.code as number, message: typeof answer.msg === 'string' ? answer.msg : '' };
  }
  if (Number.isInteger(answer.StatusCode)) {
    const message = typeof answer.StatusMessage === 'string' ? answer.StatusMessage : '';
    return { code: answer.StatusCode as number, message };
  }
  return undefined;
}
