import { z } from 'zod';

/**
 * The receiver fields of the chat channels besides WeCom group robots (docs/channels.md). They sit on the receiver
 * itself, so an existing bundle (no `channel`) is a WeCom bundle unchanged; `checkChannelFields` (channel-check.ts)
 * says which fields belong to which channel, with JSON paths.
 */

/** Every channel a receiver can deliver to; `wecom` (group robots) is the default and the reference. */
export const CHANNELS = ['wecom', 'dingtalk', 'feishu', 'wecom-app', 'webhook'] as const;
export type Channel = (typeof CHANNELS)[number];

/** The msgtypes of each channel; a generic webhook has none (its `body` template is the whole request). */
export const CHANNEL_MSGTYPES = {
  wecom: ['text', 'markdown', 'markdown_v2'],
  dingtalk: ['text', 'markdown'],
  feishu: ['text', 'post', 'interactive'],
  'wecom-app': ['text', 'markdown'],
  webhook: [],
} as const satisfies Record<Channel, readonly string[]>;

/** Every msgtype some channel accepts. */
export const RECEIVER_MSGTYPES = ['text', 'markdown', 'markdown_v2', 'post', 'interactive'] as const;
export type ReceiverMsgtype = (typeof RECEIVER_MSGTYPES)[number];

/** The msgtype a receiver without one uses: markdown where the channel has it, Feishu's card otherwise. */
export const DEFAULT_MSGTYPES: Readonly<Record<Exclude<Channel, 'webhook'>, ReceiverMsgtype>> = {
  wecom: 'markdown',
  dingtalk: 'markdown',
  feishu: 'interactive',
  'wecom-app': 'markdown',
};

/** The methods a generic webhook may use: each carries a body. */
export const WEBHOOK_METHOD_NAMES = ['POST', 'PUT', 'PATCH'] as const;

const reference = z
  .string()
  .min(1)
  .describe('`env:NAME` or `ssm:/path` (SecureString): never the secret itself in a committed bundle.');

/** The channel fields, spread into the receiver schema. */
export const channelFields = {
  channel: z
    .enum(CHANNELS)
    .default('wecom')
    .describe(
      'Where the receiver delivers: WeCom group robots (default), DingTalk or Feishu/Lark robots, WeCom application messages, or a generic webhook.',
    ),
  secret: reference
    .optional()
    .describe('DingTalk/Feishu: the robot’s signing secret, as `env:NAME` or `ssm:/path`.'),
  keywords: z
    .array(z.string().min(1))
    .min(1)
    .optional()
    .describe(
      'DingTalk/Feishu: the robot’s security keywords; the first is appended when a message holds none.',
    ),
  corpId: z.string().min(1).optional().describe('wecom-app: the corp id (kube-eventer’s corp_id).'),
  corpSecret: reference
    .optional()
    .describe('wecom-app: the application’s secret (corp_secret), as `env:NAME` or `ssm:/path`.'),
  agentId: z.number().int().min(1).optional().describe('wecom-app: the application’s agent id.'),
  toUser: z
    .array(z.string().min(1))
    .min(1)
    .optional()
    .describe('wecom-app: member user ids, or `@all` (the default when neither toUser nor toParty is set).'),
  toParty: z.array(z.string().min(1)).min(1).optional().describe('wecom-app: department ids.'),
  method: z.enum(WEBHOOK_METHOD_NAMES).optional().describe('webhook: the HTTP method (default POST).'),
  headers: z
    .record(z.string(), z.string())
    .optional()
    .describe('webhook: request headers; a value may be an `env:NAME` or `ssm:/path` reference.'),
  body: z
    .string()
    .optional()
    .describe(
      'webhook: the JSON body, with `{{ field }}` placeholders inside JSON strings (values are JSON-escaped by code).',
    ),
  allowedHosts: z
    .array(z.string().min(1))
    .min(1)
    .optional()
    .describe(
      'webhook: the hosts (`host[:port]`) this receiver may send to; the webhook’s host must be one.',
    ),
};

/** The fields only some channels use, and which. */
export const CHANNEL_ONLY_FIELDS: Readonly<Record<string, readonly Channel[]>> = {
  secret: ['dingtalk', 'feishu'],
  keywords: ['dingtalk', 'feishu'],
  corpId: ['wecom-app'],
  corpSecret: ['wecom-app'],
  agentId: ['wecom-app'],
  toUser: ['wecom-app'],
  toParty: ['wecom-app'],
  method: ['webhook'],
  headers: ['webhook'],
  body: ['webhook'],
  allowedHosts: ['webhook'],
  bodyTemplate: ['wecom'],
};

/** A receiver's msgtype: its own, or its channel's default; `text` for a webhook, whose values are plain text. */
export function msgtypeOf(receiver: {
  channel: Channel;
  msgtype?: ReceiverMsgtype | undefined;
}): ReceiverMsgtype {
  if (receiver.msgtype) return receiver.msgtype;
  return receiver.channel === 'webhook' ? 'text' : DEFAULT_MSGTYPES[receiver.channel];
}
