import { WecomWebhookError } from './errors.ts';

/** The only webhook endpoint allowed without configuration. */
export const WECOM_WEBHOOK_URL = 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send';

/** Environment variable listing further allowed webhook hosts (`host[:port]`, comma-separated), e.g. an emulator. */
export const ALLOWED_HOSTS_ENV = 'KUBE_WECOM_ALLOWED_WEBHOOK_HOSTS';

const WECOM = new URL(WECOM_WEBHOOK_URL);

/** A webhook URL that passed the allow-list, split into what the client needs. */
export interface WebhookTarget {
  /** The URL to POST to (contains the key: never log it). */
  url: string;
  /** The robot's key (secret). */
  key: string;
  /** Identifies the robot for rate limiting: host and key (secret). */
  robotId: string;
  /** The URL with its key redacted, safe for logs and errors. */
  redacted: string;
}

/** Shows a key as `****1234`: enough to tell robots apart, not enough to use one. */
export function redactKey(key: string): string {
  return key.length >= 8 ? `****${key.slice(-4)}` : '****';
}

/**
 * A webhook URL safe for logs, errors, metrics and previews: `…/send?key=****1234`. Anything that does not parse as
 * a URL is replaced entirely, because it may be a bare key.
 */
export function redactWebhook(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '[unparseable webhook URL]';
  }
  if (parsed.username || parsed.password) {
    parsed.username = '****';
    parsed.password = '';
  }
  // Every spelling of the parameter: `?KEY=` is refused as keyless, yet still holds a key.
  for (const [name, value] of [...parsed.searchParams]) {
    if (name.toLowerCase() === 'key') parsed.searchParams.set(name, redactKey(value));
  }
  return parsed.toString();
}

/**
 * Removes every occurrence of the key from text that came from elsewhere (a server's errmsg, an error message):
 * as written, URL-encoded (a server echoing the request URL), and in any letter case (one that upper-cases it).
 */
export function scrubKey(text: string, key: string): string {
  if (key.length === 0) return text;
  const spellings = [...new Set([key, encodeURIComponent(key)])].map((spelling) =>
    spelling.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&'),
  );
  return text.replace(new RegExp(spellings.join('|'), 'gi'), redactKey(key));
}

/** Parses `host[:port],host[:port]` (the `KUBE_WECOM_ALLOWED_WEBHOOK_HOSTS` format) into lowercase `host:port` entries. */
export function parseAllowedHosts(list: string | undefined): string[] {
  if (!list) return [];
  return list
    .split(',')
    .map((entry) => entry.trim().toLowerCase())
    .filter((entry) => entry.length > 0)
    .map((entry) => {
      if (/[/?#@\s]/.test(entry)) {
        throw new WecomWebhookError(`${ALLOWED_HOSTS_ENV}: expected host[:port], got "${entry}"`);
      }
      return entry;
    });
}

/** The extra allowed hosts configured in the environment (never in the rules bundle, which is less trusted). */
export function allowedHostsFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  return parseAllowedHosts(env[ALLOWED_HOSTS_ENV]);
}

/**
 * Checks a webhook URL against the allow-list, so that a rules bundle cannot point the function at arbitrary hosts
 * (SSRF). WeCom itself is allowed only as `https://qyapi.weixin.qq.com/cgi-bin/webhook/send`; an allow-listed host
 * (`host` means its scheme's default port, `host:port` that port) may use http or https and any path.
 */
export function checkWebhookUrl(url: string, allowedHosts: readonly string[]): WebhookTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new WecomWebhookError('the webhook is not a valid URL');
  }
  const redacted = redactWebhook(url);
  if (parsed.username || parsed.password) {
    throw new WecomWebhookError(`the webhook ${redacted} must not carry credentials`);
  }
  const key = parsed.searchParams.get('key');
  if (!key) throw new WecomWebhookError(`the webhook ${redacted} has no key parameter`);

  const isWecom =
    parsed.protocol === WECOM.protocol && parsed.host === WECOM.host && parsed.pathname === WECOM.pathname;
  const allowListed =
    (parsed.protocol === 'https:' || parsed.protocol === 'http:') &&
    allowedHosts.some((h) => hostMatches(parsed, h));
  if (!isWecom && !allowListed) {
    throw new WecomWebhookError(
      `the webhook ${redacted} is not allowed: only ${WECOM_WEBHOOK_URL} is, unless ${ALLOWED_HOSTS_ENV} lists ${parsed.host}`,
    );
  }
  return { url: parsed.toString(), key, robotId: `${parsed.host}\n${key}`, redacted };
}

function hostMatches(url: URL, entry: string): boolean {
  const defaultPort = url.protocol === 'https:' ? '443' : '80';
  const port = url.port || defaultPort;
  return entry === url.host || entry === `${url.hostname}:${port}`;
}
