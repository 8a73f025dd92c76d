import { mentionsSchema } from '../../functions/bundle/index.ts';
import type { BundleInput, Matcher, Msgtype } from '../../functions/bundle/index.ts';
import { WEBHOOK_PARAMS, mapWebhookFilters } from './filters.ts';
import { escapeRegex } from './reason-pattern.ts';
import { parseSinkUri, showEnv, unknownEnvNames, wholeUnknownEnv } from './sink-uri.ts';
import type { SinkUri } from './sink-uri.ts';
import type {
  BodyConfigMap,
  Findings,
  ImportReport,
  SecretToStore,
  SinkFlag,
  SinkReport,
  TemplateFinding,
} from './types.ts';
import { importBody } from './wecom-body.ts';
import { importDingtalk, importWebhookChannel, importWechat } from './channel-sinks.ts';
import type { ChannelImport, StoreSecret } from './channel-sinks.ts';
import type { BodyImport } from './wecom-body.ts';

/** What to import. */
export interface ImportInput {
  sinks: readonly SinkFlag[];
  configMaps: readonly BodyConfigMap[];
  /** Restrict every imported route to this cluster and prefix names with it (one bundle may serve many clusters). */
  cluster?: string;
}

/** The bundle (secrets never in it) and the report that goes with it. */
export interface ImportResult {
  bundle: BundleInput;
  report: ImportReport;
}

type ReceiverInput = BundleInput['receivers'][string];
type RouteInput = BundleInput['routes'][number];

const WECOM_HOST = 'qyapi.weixin.qq.com';
const WECOM_PATH = '/cgi-bin/webhook/send';
const SECRET_PARAMS =
  /^(?:key|access_token|sign|corp_secret|password|esUserSecret|accessKeySecret|token|secret)$/i;

const OTHER_SINKS: Record<string, string> = {
  sls: 'Alibaba Cloud Log Service storage, not a chat notification',
  elasticsearch: 'Elasticsearch storage, not a chat notification',
  kafka: 'Kafka, not a chat notification',
  influxdb: 'InfluxDB storage, not a chat notification',
  honeycomb: 'Honeycomb, not a chat notification',
  mysql: 'MySQL storage, not a chat notification',
  mongo: 'MongoDB storage, not a chat notification',
  log: 'the kube-eventer log, not a chat notification',
  pulsar: 'Pulsar, not a chat notification',
  rabbitmq: 'RabbitMQ, not a chat notification',
  riemann: 'Riemann, not a chat notification',
  eventbridge: 'Amazon EventBridge, not a chat notification',
};

/** Said once in the report: what every imported sink gains or changes by moving to kube-wecom. */
const GENERAL = [
  'Repeats: kube-eventer posted again every time the kubelet bumped an event’s count (its issue #66); imported routes use repeat "exponential" (notify at counts 1, 2, 4, 8 …). Set repeat "always" on a route to keep the old behaviour.',
  'Escaping: kube-eventer pasted values into its JSON body unescaped, so messages with quotes, newlines or backslashes produced invalid JSON that WeCom rejected; kube-wecom builds the JSON itself.',
  'Limits: kube-eventer sent one request per event with a 50 ms pause and no retry, and treated WeCom’s HTTP 200 as success even when errcode reported a failure; kube-wecom keeps each robot under 20 messages a minute, retries rate limits and busy replies, and keeps failures in a dead-letter queue.',
  'Restarts: kube-eventer lost the events produced while it was down or re-listing; the kube-wecom forwarder resumes from its checkpoint.',
  'Matching: kube-wecom patterns match the whole value (anchored); kube-eventer’s reason patterns matched anywhere, so they were imported as .*(?:pattern).*',
];

/** Turns kube-eventer sink lines and body ConfigMaps into a rules bundle and a report. Pure: no I/O. */
export function importKubeEventer(input: ImportInput): ImportResult {
  const prefix = input.cluster ? `${input.cluster}-` : '';
  const envPrefix = input.cluster ? `${input.cluster.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_` : '';
  const bundle: BundleInput & {
    receivers: Record<string, ReceiverInput>;
    templates: Record<string, string>;
    routes: RouteInput[];
  } = {
    $schema: './schema.json',
    version: 1,
    receivers: {},
    templates: {},
    routes: [],
  };
  const report: ImportReport = { sinks: [], secrets: [], general: [], inputProblems: [] };
  const secretsByKey = new Map<string, SecretToStore>();

  input.sinks.forEach((flag, i) => {
    const index = i + 1;
    const findings: Findings = { mapped: [], changed: [], human: [] };
    const uri = parseSinkUri(flag.value, flag.lookupEnv);
    const sink: SinkReport = {
      index,
      source: flag.source,
      kind: uri.kind,
      redacted: redactSink(flag.value),
      status: 'skipped',
      findings,
      templateFindings: [],
    };
    report.sinks.push(sink);
    const skip = (reason: string) => {
      sink.reason = reason;
    };
    const receiverName = `${prefix}kube-eventer-${index}`;
    const store: StoreSecret = (value, kind) => storeSecret(value, flag, receiverName, kind);
    const channel = channelSink(uri, input.configMaps, findings, store);
    if (channel) {
      if ('skip' in channel) skip(`${uri.kind} sink: ${channel.skip}`);
      else addRoute(sink, receiverName, channel.receiver, channel.match, []);
      return;
    }
    if (uri.kind !== 'webhook') {
      const what = OTHER_SINKS[uri.kind];
      skip(
        what
          ? `${uri.kind} sink: ${what}`
          : `unknown sink kind ${JSON.stringify(uri.kind)}: kube-eventer does not know it either and refuses it at start`,
      );
      return;
    }
    if (!uri.url) {
      skip(
        'the webhook URL has no host, so kube-eventer refused this sink at start ("uri host is not valid")',
      );
      return;
    }
    for (const dropped of uri.droppedPairs) findings.changed.push(`query pair ${dropped}`);
    const key = uri.query.get('key')?.[0];
    if (!key) {
      skip('the WeCom URL has no key parameter, so WeCom rejected every message');
      return;
    }
    const filters = mapWebhookFilters(uri.query, findings);
    if (filters.matchesNothing) {
      skip(`${filters.matchesNothing}: this sink never sent anything`);
      return;
    }
    const unresolved = [...uri.query.entries()]
      .filter(([name]) => name !== 'key')
      .flatMap(([name, values]) =>
        values.flatMap((value) => unknownEnvNames(value).map((env) => `${name} uses $${env}`)),
      );
    if (unresolved.length > 0)
      findings.human.push(
        `${unresolved.join('; ')}: its value is only known where kube-eventer runs; the import used the text as written — check the filter`,
      );

    noteTransport(uri, findings);
    const receiver: ReceiverInput = {
      webhook: store(key, 'WECOM_KEY'),
      msgtype: 'text',
    };
    sink.template = applyBody(uri, input.configMaps, receiver, bundle.templates, sink);
    addRoute(sink, receiverName, receiver, filters.match, filters.suggestedExcludes);
  });

  /** Adds the receiver and its route (limited to `--cluster`), and marks the sink imported. */
  function addRoute(
    sink: SinkReport,
    receiverName: string,
    receiver: ReceiverInput,
    filtered: Matcher,
    suggestedExcludes: readonly string[],
  ): void {
    bundle.receivers[receiverName] = receiver;
    const match: Matcher = { ...filtered };
    if (input.cluster) {
      match.clusters = [escapeRegex(input.cluster)];
      sink.findings.mapped.push(
        `--cluster ${input.cluster} → match.clusters (the route applies to that cluster's events only)`,
      );
    }
    bundle.routes.push({
      name: receiverName,
      ...(Object.keys(match).length > 0 ? { match } : {}),
      receivers: [receiverName],
      repeat: 'exponential',
    });
    if (suggestedExcludes.length > 0) {
      sink.findings.human.push(
        `probably meant: replace match.reasons with "exclude": { "reasons": ${JSON.stringify(suggestedExcludes)} } on route ${receiverName} (not applied: it changes what is sent)`,
      );
    }
    Object.assign(sink, { status: 'imported', receiver: receiverName, route: receiverName });
  }

  /** Lists a secret found in a sink line under the variables to set, once per value; returns its `env:` reference. */
  function storeSecret(key: string, flag: SinkFlag, receiver: string, kind: string): string {
    const fromEnv = wholeUnknownEnv(key);
    const origin = fromEnv
      ? (flag.envOrigins?.get(fromEnv) ?? `environment variable ${fromEnv} of kube-eventer`)
      : flag.source;
    let secret = secretsByKey.get(key);
    if (!secret) {
      const env = fromEnv ?? `${envPrefix}${kind}_${secretsByKey.size + 1}`;
      secret = { env, value: fromEnv ? '' : key, receivers: [], origin };
      secretsByKey.set(key, secret);
      report.secrets.push(secret);
    }
    secret.receivers.push(receiver);
    return `env:${secret.env}`;
  }

  const zone = timeZoneOf(input.sinks);
  if (zone) {
    bundle.timezone = zone;
    report.general.push(
      `timezone ${zone}: kube-eventer’s container set TZ=${zone}, so times are rendered in that zone as before`,
    );
  } else if (Object.keys(bundle.templates).length > 0) {
    report.general.push(
      'timezone: kube-eventer printed times in its container’s local zone; the bundle uses UTC — set "timezone" (e.g. "Asia/Shanghai") to match',
    );
  }
  if (bundle.routes.length > 0) report.general.push(...GENERAL);
  return { bundle, report };
}

/**
 * The importer for a sink line on another channel than WeCom group robots: `dingtalk:`, `wechat:`, and `webhook:`
 * lines to other hosts; undefined for WeCom robot lines and sink kinds that are not chat.
 */
function channelSink(
  uri: SinkUri,
  configMaps: readonly BodyConfigMap[],
  findings: Findings,
  store: StoreSecret,
): ChannelImport | undefined {
  if (uri.kind === 'dingtalk') return importDingtalk(uri, findings, store);
  if (uri.kind === 'wechat') return importWechat(uri, findings, store);
  const { url } = uri;
  if (uri.kind !== 'webhook' || !url || (url.host === WECOM_HOST && url.pathname === WECOM_PATH))
    return undefined;
  return importWebhookChannel({ ...uri, url }, configMaps, findings, store);
}

/** The TZ kube-eventer's container ran with (from its manifest), when it names a real zone. */
function timeZoneOf(sinks: readonly SinkFlag[]): string | undefined {
  for (const sink of sinks) {
    const zone = sink.lookupEnv?.('TZ');
    if (!zone) continue;
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
      return zone;
    } catch {
      // not an IANA name (e.g. a POSIX TZ string); the report tells the user to set it
    }
  }
  return undefined;
}

/** Notes on the HTTP side of the sink: method, headers, parameters WeCom never needed. */
function noteTransport(uri: SinkUri, findings: Findings): void {
  const method = uri.query.get('method')?.[0] ?? 'GET';
  if (method !== 'POST') {
    findings.changed.push(
      `kube-eventer sent HTTP ${method}${uri.query.has('method') ? '' : ' (its default)'}; WeCom accepts only POST, so this robot probably received nothing — kube-wecom always POSTs`,
    );
  }
  if (uri.url?.protocol === 'http:')
    findings.changed.push('the URL used http://; kube-wecom always uses https://qyapi.weixin.qq.com');
  const headers = uri.query.get('header');
  if (headers)
    findings.mapped.push(
      `header ${headers.join(', ')}: not needed (kube-wecom sends Content-Type: application/json)`,
    );
  const unknown = [...uri.query.keys()].filter((name) => name !== 'key' && !WEBHOOK_PARAMS.has(name));
  if (unknown.length > 0)
    findings.changed.push(
      `parameters ${unknown.join(', ')} mean nothing to kube-eventer’s webhook sink (they were only sent to WeCom); ignored`,
    );
}

/**
 * Sets the receiver's template from the sink's body ConfigMap. A WeCom text/markdown body becomes a content
 * template with msgtype and mentions; another WeCom body a full-body template; anything WeCom rejected (including
 * kube-eventer's default body) the built-in text template. Returns what the report should call the template.
 */
function applyBody(
  uri: SinkUri,
  configMaps: readonly BodyConfigMap[],
  receiver: ReceiverInput,
  templates: Record<string, string>,
  sink: SinkReport,
): string {
  const { findings } = sink;
  const builtin = (why: string) => {
    findings.human.push(
      `${why}; the receiver uses kube-wecom’s built-in text message — remove the route if these alerts were not wanted`,
    );
    return 'builtin/text';
  };
  const name = uri.query.get('custom_body_configmap')?.[0];
  if (name === undefined) {
    return builtin(
      'no custom_body_configmap: kube-eventer sent its default body {"EventType":…}, which has no msgtype, so WeCom rejected every message and this robot never received these alerts',
    );
  }
  const namespace = uri.query.get('custom_body_configmap_namespace')?.[0] ?? 'default';
  const configMap =
    configMaps.find((cm) => cm.name === name && cm.namespace === namespace) ??
    configMaps.find((cm) => cm.name === name && cm.namespace === undefined);
  if (!configMap) {
    return builtin(
      `ConfigMap ${namespace}/${name} was not given (pass it with --configmap); without it the content cannot be carried over`,
    );
  }
  if (configMap.namespace === undefined)
    findings.changed.push(
      `${configMap.source} has no namespace; assumed to be ${namespace}, where kube-eventer read it`,
    );
  if (configMap.content === undefined) {
    return builtin(
      `${configMap.source} has no "content" key, so kube-eventer used its default body, which WeCom rejects`,
    );
  }
  const body: BodyImport = importBody(configMap.content);
  if (body.kind === 'rejected') return builtin(`${configMap.source}: ${body.reason}`);

  const templateName = `kube-eventer/${namespace}/${name}`;
  templates[templateName] = body.eta;
  const label = `${namespace}/${name}`;
  sink.templateFindings.push(
    ...body.issues.map((issue): TemplateFinding => ({
      configMap: label,
      line: issue.at.line,
      column: issue.at.column,
      action: issue.written,
      message: issue.message,
      severity: issue.severity,
    })),
  );
  if (body.issues.some((issue) => issue.failedInKubeEventer)) {
    findings.human.push(
      `kube-eventer could not render ${label} for any event, so this robot received nothing from it; the import emits a best-effort template`,
    );
  }
  findings.changed.push(...body.notes);
  if (body.kind === 'body') {
    receiver.bodyTemplate = templateName;
    findings.mapped.push(
      `ConfigMap ${label} → templates[${JSON.stringify(templateName)}] as a full-body template`,
    );
    return templateName;
  }
  receiver.msgtype = body.msgtype as Msgtype;
  receiver.template = templateName;
  const mobiles = body.mentions.mobiles.filter((mobile) => {
    const valid = mentionsSchema.safeParse({ mobiles: [mobile] }).success;
    if (!valid)
      findings.human.push(
        `mentioned_mobile_list entry ${JSON.stringify(mobile)} is not a phone number; dropped`,
      );
    return valid;
  });
  const mentions = {
    ...(body.mentions.users.length > 0 ? { users: body.mentions.users } : {}),
    ...(mobiles.length > 0 ? { mobiles } : {}),
    ...(body.mentions.all ? { all: true } : {}),
  };
  if (Object.keys(mentions).length > 0) receiver.mentions = mentions;
  findings.mapped.push(
    `ConfigMap ${label} → msgtype ${body.msgtype}, templates[${JSON.stringify(templateName)}] (the content only; kube-wecom builds and escapes the JSON)` +
      (Object.keys(mentions).length > 0 ? `, mentions ${JSON.stringify(mentions)}` : ''),
  );
  return templateName;
}

/** The sink value with every secret-looking query value replaced, safe to print and log. */
export function redactSink(value: string): string {
  return showEnv(value).replace(
    /([?&])([^=&]+)=([^&#]*)/g,
    (whole, sep: string, name: string, secret: string) =>
      SECRET_PARAMS.test(name) && secret !== '' && !secret.startsWith('$')
        ? `${sep}${name}=****${secret.length >= 8 ? secret.slice(-4) : ''}`
        : whole,
  );
}
