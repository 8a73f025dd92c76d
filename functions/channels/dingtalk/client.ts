import {
  ChannelSender,
  JSON_HEADERS,
  readErrcodeAnswer,
  type ChannelClientOptions,
  type ChannelSendOptions,
  type ChannelSendResult,
} from '../delivery/index.ts';
import type { DingtalkBody } from './bodies.ts';
import { DINGTALK_ERRCODES, DINGTALK_LOOKUP } from './errcodes.ts';
import { DINGTALK_LIMITS } from './limits.ts';
import { signDingtalkUrl } from './sign.ts';

/** The robot endpoint: `https://oapi.dingtalk.com/robot/send?access_token=…`. */
export const DINGTALK_ENDPOINT = { origin: 'https://oapi.dingtalk.com', pathPrefix: '/robot/send' } as const;

/** Options of one DingTalk send. */
export interface DingtalkSendOptions extends ChannelSendOptions {
  /** The robot's signing secret (`SEC…`), already resolved from its reference; omit for unsigned robots. */
  secret?: string;
}

/**
 * Sends to DingTalk custom robots: one request per call, signed in the query when the robot has a secret, judged
 * by errcode (HTTP 200 means nothing on its own). Failures are thrown as `ChannelError`s carrying `retryable` and
 * `retryAfterMs` (10 minutes after 130101).
 *
 * @example
 * const client = new DingtalkClient();
 * await client.send(url, buildDingtalkBody('text', content), { deadline: Date.now() + 10_000, secret });
 */
export class DingtalkClient extends ChannelSender {
  constructor(options: ChannelClientOptions = {}) {
    super(
      {
        channel: 'dingtalk',
        readAnswer: readErrcodeAnswer,
        errcodes: DINGTALK_ERRCODES,
        lookUp: DINGTALK_LOOKUP,
        bareSuccess: false,
        blockMs: DINGTALK_LIMITS.blockMs,
      },
      [DINGTALK_ENDPOINT],
      options,
    );
  }

  send(url: string, body: DingtalkBody, options: DingtalkSendOptions): Promise<ChannelSendResult> {
    const signed = options.secret ? signDingtalkUrl(url, options.secret, this.context.clock()) : url;
    const request = { method: 'POST', url: signed, headers: JSON_HEADERS, body: JSON.stringify(body) };
    return this.sendOnce(url, request, options.deadline);
  }
}
