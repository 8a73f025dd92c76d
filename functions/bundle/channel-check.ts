import {
  WEBHOOK_METHODS,
  WebhookTemplateError,
  checkWebhookHeaders,
  compileWebhookBody,
} from '../channels/webhook/index.ts';
import { WEBHOOK_FIELDS } from '../render/index.ts';
import { ROBOT_POLICIES } from '../budget/index.ts';
import { CHANNELS, CHANNEL_MSGTYPES, CHANNEL_ONLY_FIELDS, RECEIVER_MSGTYPES } from './channel-schema.ts';
import type { Channel } from './channel-schema.ts';

type Path = Array<string | number>;
type Report = (path: Path, message: string) => void;

const REFERENCE = /^(?:env:[A-Za-z_][A-Za-z0-9_]*|ssm:\/[A-Za-z0-9_.\-/]+)$/;

/** The largest request body (or content) each channel accepts, for `maxBytes`. */
const MAX_BYTES: Readonly<Partial<Record<Channel, number>>> = {
  dingtalk: 20_000,
  feishu: 20_000,
  'wecom-app': 2048,
};

/**
 * Checks a receiver's channel fields (the raw input, read defensively, so it runs where the schema failed
 * elsewhere): the msgtype is the channel's, fields of other channels are refused, secrets are references, a WeCom
 * application has its credentials, and a generic webhook has a body that compiles and a host it may reach.
 * WeCom receivers keep their own checks in validate.ts.
 */
export function checkChannelFields(
  receiver: Record<string, unknown>,
  at: Path,
  error: Report,
  warn: Report,
): void {
  const channel = (receiver.channel ?? 'wecom') as Channel;
  if (!CHANNELS.includes(channel)) return;
  for (const [field, channels] of Object.entries(CHANNEL_ONLY_FIELDS)) {
    if (receiver[field] !== undefined && !channels.includes(channel))
      error([...at, field], `only for channel ${channels.join(' or ')}, not ${channel}`);
  }
  const msgtypes: readonly string[] = CHANNEL_MSGTYPES[channel];
  // A msgtype no channel has is the schema's to report; one of another channel is reported here.
  const known = (RECEIVER_MSGTYPES as readonly unknown[]).includes(receiver.msgtype);
  if (known && !msgtypes.includes(receiver.msgtype as string)) {
    error(
      [...at, 'msgtype'],
      msgtypes.length === 0
        ? 'a generic webhook has no msgtype: its body template is the whole request'
        : `${channel} msgtypes are ${msgtypes.join(', ')}`,
    );
  }
  if (channel === 'wecom') return;
  for (const field of ['secret', 'corpSecret']) {
    const ref = receiver[field];
    if (typeof ref === 'string' && !REFERENCE.test(ref))
      error([...at, field], 'a secret is never written in the bundle: use env:NAME or ssm:/path');
  }
  checkLimits(receiver, channel, at, error);
  if (typeof receiver.webhook === 'string' && /[?&]access_token=|\/bot\/v2\/hook\/./.test(receiver.webhook))
    warn(
      [...at, 'webhook'],
      'a literal robot token sits in the bundle; store it in SSM or an environment variable (ssm:/… or env:…)',
    );
  if (channel === 'feishu' && isObject(receiver.mentions) && receiver.mentions.mobiles !== undefined)
    warn([...at, 'mentions', 'mobiles'], 'Feishu robots cannot mention by phone number; these are ignored');
  if (channel === 'wecom-app') checkWecomApp(receiver, at, error, warn);
  if (channel === 'webhook') checkWebhook(receiver, at, error, warn);
}

function checkLimits(receiver: Record<string, unknown>, channel: Channel, at: Path, error: Report): void {
  const perMinute = channel === 'webhook' ? undefined : ROBOT_POLICIES[channel].windows[0].limit;
  if (perMinute !== undefined && typeof receiver.maxMessagesPerMinute === 'number')
    if (receiver.maxMessagesPerMinute > perMinute)
      error([...at, 'maxMessagesPerMinute'], `${channel} allows at most ${perMinute} messages per minute`);
  const maxBytes = MAX_BYTES[channel];
  if (maxBytes !== undefined && typeof receiver.maxBytes === 'number' && receiver.maxBytes > maxBytes)
    error([...at, 'maxBytes'], `${channel} accepts at most ${maxBytes} bytes; maxBytes may only lower it`);
}

function checkWecomApp(receiver: Record<string, unknown>, at: Path, error: Report, warn: Report): void {
  for (const field of ['corpId', 'corpSecret', 'agentId'])
    if (receiver[field] === undefined) error([...at, field], 'required for channel wecom-app');
  if (receiver.mentions !== undefined)
    warn([...at, 'mentions'], 'application messages mention no one: toUser and toParty are the recipients');
  if (receiver.toUser === undefined && receiver.toParty === undefined)
    warn(at, 'no toUser or toParty: messages go to @all, everyone the application can reach');
}

function checkWebhook(receiver: Record<string, unknown>, at: Path, error: Report, warn: Report): void {
  if (typeof receiver.body !== 'string') error([...at, 'body'], 'required for channel webhook');
  else {
    try {
      compileWebhookBody(receiver.body, WEBHOOK_FIELDS);
      if (!isObject(JSON.parse(receiver.body)))
        error([...at, 'body'], 'the body template must be a JSON object');
    } catch (err) {
      if (!(err instanceof WebhookTemplateError)) throw err;
      error([...at, 'body'], err.message);
    }
  }
  if (
    typeof receiver.method === 'string' &&
    !(WEBHOOK_METHODS as readonly string[]).includes(receiver.method)
  )
    error([...at, 'method'], `expected ${WEBHOOK_METHODS.join(', ')}`);
  if (isObject(receiver.headers)) {
    try {
      checkWebhookHeaders(
        Object.fromEntries(Object.entries(receiver.headers).map(([name, value]) => [name, String(value)])),
      );
    } catch (err) {
      if (!(err instanceof WebhookTemplateError)) throw err;
      error([...at, 'headers'], err.message);
    }
  }
  const hosts = Array.isArray(receiver.allowedHosts) ? receiver.allowedHosts : undefined;
  if (!hosts) error([...at, 'allowedHosts'], 'required for channel webhook: the hosts it may send to');
  else if (typeof receiver.webhook === 'string' && /^https?:\/\//i.test(receiver.webhook)) {
    const host = URL.canParse(receiver.webhook) ? new URL(receiver.webhook).host : '';
    if (!hosts.some((allowed) => typeof allowed === 'string' && allowed.toLowerCase() === host))
      error([...at, 'webhook'], `the host ${host} is not in allowedHosts`);
  }
  if (receiver.mentions !== undefined)
    warn([...at, 'mentions'], 'a generic webhook mentions no one: its body template is the whole request');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
