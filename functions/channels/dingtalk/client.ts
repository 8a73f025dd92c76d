import {
  checkEndpoint,
  deliver,
  deliveryContext,
  type ChannelClientOptions,
  type ChannelProtocol,
  type ChannelSendOptions,
  type ChannelSendResult,
  type DeliveryContext,
  readErrcodeAnswer,
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

const PROTOCOL: ChannelProtocol = {
  channel: 'dingtalk',
  readAnswer: readErrcodeAnswer,
  errcodes: DINGTALK_ERRCODES,
  lookUp: DINGTALK_LOOKUP,
  bareSuccess: false,
  blockMs: DINGTALK_LIMITS.blockMs,
};

/**
 * Sends to DingTalk custom robots: one signed request per call, judged by errcode (HTTP 200 means nothing on its
 * own). Failures are thrown as `ChannelError`s carrying `retryable` and `retryAfterMs` (10 minutes after 130101).
 *
 * @example
 * const client = new DingtalkClient();
 * await client.send(url, buildDingtalkBody('text', content), { deadline: Date.now() + 10_000, secret });
 */
export class DingtalkClient {
  private readonly context: DeliveryContext;
  private readonly allowedHosts: readonly string[];

  constructor(options: ChannelClientOptions = {}) {
    this.context = deliveryContext(options);
    this.allowedHosts = options.allowedHosts ?? [];
  }

  async send(url: string, body: DingtalkBody, options: DingtalkSendOptions): Promise<ChannelSendResult> {
    const target = checkEndpoint('dingtalk', url, [DINGTALK_ENDPOINT], this.allowedHosts);
    const signed = options.secret ? signDingtalkUrl(url, options.secret, this.context.clock()) : url;
    const request = {
      method: 'POST',
      url: signed,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    };
    const { status, code, message } = await deliver(
      PROTOCOL,
      this.context,
      request,
      target,
      options.deadline,
    );
    return { status, code, message };
  }
}
