import type { BundleInput, Matcher } from '../../functions/bundle/index.ts';
import { WEBHOOK_PARAMS, mapWebhookFilters } from './filters.ts';
import type { SinkUri } from './sink-uri.ts';
import type { BodyConfigMap, Findings } from './types.ts';

type ReceiverInput = BundleInput['receivers'][string];

/** Stores a secret found in a sink line and returns the `env:` reference the bundle reads it from. */
export type StoreSecret = (value: string, kind: string) => string;

/** A sink line imported as a receiver and the match of its route, or why it cannot be. */
export type ChannelImport = { receiver: ReceiverInput; match: Matcher } | { skip: string };

// kube-eventer's dingtalk and wechat sinks default to Warning events (`sinks/dingtalk`, `sinks/wechat`), unlike the
// webhook sink, which installs no level filter.
const DEFAULT_LEVEL = 'Warning';

/**
 * A `dingtalk:` sink (`sinks/dingtalk/dingtalk.go`): the robot URL with its `access_token`, `level` (default Warning),
 * `label`, `namespaces`, `kinds`, `msg_type` (text by default, or markdown) and `sign` (the signing secret). The
 * URL and the secret become `env:` references.
 */
export function importDingtalk(uri: SinkUri, findings: Findings, store: StoreSecret): ChannelImport {
  const token = uri.query.get('access_token')?.[0];
  if (!token) return { skip: 'the DingTalk URL has no access_token, so DingTalk rejected every message' };
  const query = withDefaultLevel(uri.query, findings);
  const filters = mapWebhookFilters(query, findings);
  if (filters.matchesNothing) return { skip: `${filters.matchesNothing}: this sink never sent anything` };
  const msgtype = uri.query.get('msg_type')?.[0] ?? 'text';
  if (msgtype !== 'text' && msgtype !== 'markdown') {
    findings.changed.push(`msg_type=${msgtype} is not one kube-eventer sends; imported as text`);
  }
  const receiver: ReceiverInput = {
    channel: 'dingtalk',
    webhook: store(`https://oapi.dingtalk.com/robot/send?access_token=${token}`, 'DINGTALK_URL'),
    msgtype: msgtype === 'markdown' ? 'markdown' : 'text',
  };
  findings.mapped.push(
    `access_token → webhook ${receiver.webhook} (the whole robot URL, kept out of the bundle)`,
  );
  const sign = uri.query.get('sign')?.[0];
  if (sign) {
    receiver.secret = store(sign, 'DINGTALK_SECRET');
    findings.mapped.push(`sign → secret ${receiver.secret}: kube-wecom signs every request with it`);
  }
  noteLabel(uri, receiver, findings);
  return { receiver, match: filters.match };
}

/**
 * A `wechat:` sink (`sinks/wechat/wechat.go`): WeCom application messages with `corp_id`, `corp_secret`,
 * `agent_id`, `to_user` (default `@all`) and `to_party`, filtered by `level` (default Warning), `namespaces` and
 * `kinds`. The corp secret becomes an `env:` reference.
 */
export function importWechat(uri: SinkUri, findings: Findings, store: StoreSecret): ChannelImport {
  const corpId = uri.query.get('corp_id')?.[0];
  const corpSecret = uri.query.get('corp_secret')?.[0];
  const agentId = Number(uri.query.get('agent_id')?.[0]);
  if (!corpId || !corpSecret || !(Number.isInteger(agentId) && agentId > 0))
    return { skip: 'corp_id, corp_secret and a numeric agent_id are all needed, so WeCom refused this sink' };
  const query = withDefaultLevel(uri.query, findings);
  const filters = mapWebhookFilters(query, findings);
  if (filters.matchesNothing) return { skip: `${filters.matchesNothing}: this sink never sent anything` };
  // WeCom separates ids with `|`; kube-eventer's docs write commas, which WeCom would read as one unknown id.
  const ids = (key: string) => {
    const value = uri.query.get(key)?.[0];
    if (value?.includes(','))
      findings.changed.push(
        `${key}=${value}: WeCom separates ids with "|"; the commas are read as separators`,
      );
    return value?.split(/[|,]/).filter((id) => id !== '');
  };
  const toUser = ids('to_user');
  const toParty = ids('to_party');
  const receiver: ReceiverInput = {
    channel: 'wecom-app',
    webhook: 'https://qyapi.weixin.qq.com',
    msgtype: 'text',
    corpId,
    corpSecret: store(corpSecret, 'WECOM_APP_SECRET'),
    agentId,
    ...(toUser && toUser.length > 0 ? { toUser } : {}),
    ...(toParty && toParty.length > 0 ? { toParty } : {}),
  };
  findings.mapped.push(
    `corp_id, agent_id, to_user, to_party → a wecom-app receiver; corp_secret → corpSecret ${receiver.corpSecret}`,
  );
  findings.human.push(
    'WeCom accepts application messages only from the application’s trusted IPs (60020): give the function a fixed egress IP (docs/channels.md)',
  );
  noteLabel(uri, receiver, findings);
  return { receiver, match: filters.match };
}

/**
 * A `webhook:` sink to a host other than WeCom's robots: a generic webhook receiver. The URL (which may carry a
 * token) becomes an `env:` reference and its host the receiver's allow-list; headers are kept, with values that
 * look like credentials moved to `env:` references; a ConfigMap body whose placeholders are plain fields inside
 * JSON strings is kept as the body template, anything else falls back to kube-eventer's default body.
 */
export function importWebhookChannel(
  uri: SinkUri & { url: NonNullable<SinkUri['url']> },
  configMaps: readonly BodyConfigMap[],
  findings: Findings,
  store: StoreSecret,
): ChannelImport {
  const filters = mapWebhookFilters(uri.query, findings);
  if (filters.matchesNothing) return { skip: `${filters.matchesNothing}: this sink never sent anything` };
  const target = uri.target.split(/[?#]/, 1)[0]!;
  const kept = [...uri.query.entries()].filter(([name]) => !WEBHOOK_PARAMS.has(name));
  const query = kept.flatMap(([name, values]) => values.map((v) => `${name}=${encodeURIComponent(v)}`));
  const url = query.length > 0 ? `${target}?${query.join('&')}` : target;
  const method = uri.query.get('method')?.[0] ?? 'GET';
  if (method !== 'POST' && method !== 'PUT' && method !== 'PATCH')
    findings.changed.push(
      `kube-eventer sent HTTP ${method}; a body needs POST, PUT or PATCH, so the import uses POST`,
    );
  const headers: Record<string, string> = {};
  for (const header of uri.query.get('header') ?? []) {
    const equals = header.indexOf('=');
    if (equals <= 0) continue;
    const name = header.slice(0, equals);
    const value = header.slice(equals + 1);
    headers[name] = CREDENTIAL_HEADER.test(name) ? store(value, 'WEBHOOK_HEADER') : value;
  }
  const receiver: ReceiverInput = {
    channel: 'webhook',
    webhook: store(url, 'WEBHOOK_URL'),
    allowedHosts: [uri.url.host],
    ...(method === 'PUT' || method === 'PATCH' ? { method } : {}),
    ...(Object.keys(headers).length > 0 ? { headers } : {}),
    body: webhookBody(uri, configMaps, findings),
  };
  findings.mapped.push(
    `a webhook to ${uri.url.host} → a generic webhook receiver; the URL → ${receiver.webhook}, allowedHosts ["${uri.url.host}"]`,
  );
  return { receiver, match: filters.match };
}

const CREDENTIAL_HEADER = /authorization|token|secret|key|cookie|signature/i;

/** kube-eventer's default webhook body, in placeholder form. */
const DEFAULT_BODY = JSON.stringify({
  EventType: '{{ .Type }}',
  EventKind: '{{ .InvolvedObject.Kind }}',
  EventObject: '{{ .InvolvedObject.Name }}',
  EventNamespace: '{{ .InvolvedObject.Namespace }}',
  EventReason: '{{ .Reason }}',
  EventTime: '{{ .LastTimestamp }}',
  EventMessage: '{{ .Message }}',
});

// A Go template the body template can carry over as is: JSON whose actions are all plain field references.
const GO_ACTION = /\{\{-?\s*([^}]*?)\s*-?\}\}/g;
const PLAIN_FIELD = /^\.[A-Za-z_][A-Za-z0-9_.]*$/;

function webhookBody(uri: SinkUri, configMaps: readonly BodyConfigMap[], findings: Findings): string {
  const name = uri.query.get('custom_body_configmap')?.[0];
  if (name === undefined) {
    findings.mapped.push('no custom_body_configmap → kube-eventer’s default body {"EventType":…}');
    return DEFAULT_BODY;
  }
  const namespace = uri.query.get('custom_body_configmap_namespace')?.[0] ?? 'default';
  const content = configMaps.find(
    (cm) => cm.name === name && (cm.namespace ?? namespace) === namespace,
  )?.content;
  const actions = content === undefined ? [] : [...content.matchAll(GO_ACTION)].map((m) => m[1]!);
  if (content !== undefined && actions.every((action) => PLAIN_FIELD.test(action)) && isJsonObject(content)) {
    findings.mapped.push(`ConfigMap ${namespace}/${name} → body (its fields are JSON-escaped by code now)`);
    return content;
  }
  findings.human.push(
    `ConfigMap ${namespace}/${name} ${content === undefined ? 'was not given (pass it with --configmap)' : 'uses Go template logic beyond plain fields'}; the receiver sends kube-eventer’s default body — write its "body" by hand`,
  );
  return DEFAULT_BODY;
}

function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

/** The level filter with the sink's default (Warning) when the line sets none. */
function withDefaultLevel(
  query: ReadonlyMap<string, string[]>,
  findings: Findings,
): ReadonlyMap<string, string[]> {
  if (query.has('level')) return query;
  findings.mapped.push(`no level: this sink’s default is ${DEFAULT_LEVEL}`);
  return new Map([...query, ['level', [DEFAULT_LEVEL]]]);
}

/** kube-eventer printed `label` in every message to tell clusters apart; kube-wecom prints the event's cluster. */
function noteLabel(uri: SinkUri, receiver: ReceiverInput, findings: Findings): void {
  const label = uri.query.get('label')?.[0];
  if (!label) return;
  receiver.description = `kube-eventer label ${label}`;
  findings.changed.push(
    `label=${label} was shown in every message; kube-wecom shows the event's cluster instead (the forwarder's --cluster): set it to ${label}`,
  );
}
